/** The scenarios in the order they run. */
import type { Scenario } from '../lib/scenario.ts';
import { bundleScenario } from './bundle.ts';
import { busyTherapistScenario } from './busy-therapist.ts';
import { coldStartScenario } from './cold-start.ts';
import { latencyScenario } from './latency.ts';
import { longHistoryScenario } from './long-history.ts';
import { notesScenario } from './notes.ts';
import { searchScenario } from './search.ts';

export const scenarios: Scenario[] = [
	latencyScenario,
	coldStartScenario,
	bundleScenario,
	longHistoryScenario,
	busyTherapistScenario,
	notesScenario,
	searchScenario
];
