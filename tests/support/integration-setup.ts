import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startSynapse, type SynapseServer } from '../../scripts/lib/synapse-server.ts';
import { ensureSynapseVenv } from '../../scripts/lib/synapse-venv.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		synapse: {
			baseUrl: string;
			serverName: string;
			registrationSharedSecret: string;
			dataDir: string;
		};
	}
}

let synapse: SynapseServer | undefined;

/**
 * Vitest global setup of the integration project: one Synapse with the test
 * overlay, on a free loopback port and a fresh data folder, for all files.
 */
export async function setup(project: TestProject): Promise<void> {
	await ensureSynapseVenv();
	const dataDir = mkdtempSync(path.join(tmpdir(), 'alcove-synapse-'));
	synapse = await startSynapse({ dataDir, testOverlay: true });
	project.provide('synapse', {
		baseUrl: synapse.baseUrl,
		serverName: synapse.serverName,
		registrationSharedSecret: synapse.registrationSharedSecret,
		dataDir
	});
}

export async function teardown(): Promise<void> {
	if (!synapse) return;
	await synapse.stop();
	if (!process.env.ALCOVE_KEEP_TEST_DATA) rmSync(synapse.dataDir, { recursive: true, force: true });
}
