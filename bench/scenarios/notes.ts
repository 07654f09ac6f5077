/**
 * Scenario 6: therapist notes. A therapist's notes room contains many notes,
 * each an `app.alcove.note` state event encrypted with the notes key. A new
 * device of the therapist syncs, opens the notes, lists every note (each one
 * decrypted and validated) and opens one.
 *
 * This drives `NotesService` from src/lib/notes, the layer under the notes
 * panel, in Node: same code, same AES-256-GCM through WebCrypto, same
 * Synapse, but Node's WebCrypto rather than Chromium's, and no rendering.
 */
import { performance } from 'node:perf_hooks';
import type { MatrixClient } from 'matrix-js-sdk';
// The file, not the folder: plain Node does not resolve folder imports, which
// keeps src/lib/matrix/crypto/recovery.ts (and its parseRecoveryKey) out of reach here.
import { decodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { SecretStorageKeyCache } from '../../src/lib/matrix/crypto/secret-storage-key.ts';
import { NotesService } from '../../src/lib/notes/notes-service.ts';
import type { NoteFields } from '../../src/lib/notes/note-schema.ts';
import { mapConcurrent } from '../lib/concurrency.ts';
import { messageBodies } from '../lib/message-corpus.ts';
import type { ScenarioResult } from '../lib/report-types.ts';
import { measuredResult, MetricRecorder, type Scenario } from '../lib/scenario.ts';
import {
	registerAccounts,
	setUpAccountEncryption,
	startSeedingClient,
	stopSeedingClient,
	type Account
} from '../lib/seeding.ts';
import type { BenchWorld } from '../lib/world.ts';

/**
 * Notes are written one at a time, as a therapist writes them. Written 8 at a
 * time, the state events fork the room's DAG, and a new device's initial
 * /sync then missed 2 of 20 notes that GET /state listed: Synapse sends the
 * state before the timeline, which leaves out forked branches.
 */
const WRITE_CONCURRENCY = 1;
/** Therapy clients the notes are spread over. */
const CLIENT_COUNT = 25;

/** The fields of note `index`: a SOAP progress note of a few hundred words. */
function noteFields(index: number, clientUserIds: readonly string[], texts: string[]): NoteFields {
	const text = (offset: number): string =>
		texts.slice(index * 6 + offset, index * 6 + offset + 2).join(' ');
	const day = String((index % 28) + 1).padStart(2, '0');
	return {
		clientUserId: clientUserIds[index % clientUserIds.length] as string,
		careRoomId: `!care${index % clientUserIds.length}`,
		kind: 'progress',
		class: index % 5 === 0 ? 'psychotherapy' : 'record',
		title: `Session ${index + 1}`,
		sessionDate: `2026-${String((index % 12) + 1).padStart(2, '0')}-${day}`,
		template: {
			type: 'soap',
			subjective: text(0),
			objective: text(2),
			assessment: text(4),
			plan: texts[index * 6 + 5] ?? ''
		},
		goals: []
	};
}

/**
 * Starts a new device of the therapist that holds the secret-storage key, as
 * after unlocking it with the recovery key, so the notes keyring can be read.
 */
async function startTherapistDevice(
	world: BenchWorld,
	therapist: Account,
	recoveryKey: string
): Promise<{ matrixClient: MatrixClient; keyCache: SecretStorageKeyCache }> {
	const keyCache = new SecretStorageKeyCache();
	const matrixClient = await startSeedingClient(world.synapse, therapist, {
		cryptoCallbacks: keyCache.cryptoCallbacks
	});
	const defaultKey = await matrixClient.secretStorage.getKey();
	if (!defaultKey) throw new Error('The therapist has no secret storage');
	keyCache.store(defaultKey[0], decodeRecoveryKey(recoveryKey));
	return { matrixClient, keyCache };
}

async function stopTherapistDevice(device: {
	matrixClient: MatrixClient;
	keyCache: SecretStorageKeyCache;
}): Promise<void> {
	device.keyCache.clear();
	await stopSeedingClient(device.matrixClient);
}

/** Writes the notes from one device of the therapist; returns the client of each note. */
async function seedNotes(
	world: BenchWorld,
	therapist: Account,
	recoveryKey: string
): Promise<{ noteIds: string[]; clientUserIds: string[] }> {
	const count = world.sizes.notes;
	const serverName = therapist.userId.slice(therapist.userId.indexOf(':') + 1);
	const clientUserIds = Array.from(
		{ length: Math.min(CLIENT_COUNT, count) },
		(_, index) => `@notes-client-${index + 1}:${serverName}`
	);
	const texts = messageBodies(count * 6, 11, 'Note');
	const device = await startTherapistDevice(world, therapist, recoveryKey);
	try {
		const notes = await NotesService.open({
			matrixClient: device.matrixClient,
			auditOnFirstUse: false
		});
		try {
			let written = 0;
			const noteIds = await mapConcurrent(
				Array.from({ length: count }, (_, index) => index),
				WRITE_CONCURRENCY,
				async (index) => {
					const version = await notes.createNote(noteFields(index, clientUserIds, texts));
					written++;
					if (written % 250 === 0) world.log(`notes: wrote ${written}/${count} notes`);
					return version.noteId;
				}
			);
			return { noteIds, clientUserIds };
		} finally {
			notes.close();
		}
	} finally {
		await stopTherapistDevice(device);
	}
}

/** Runs `step` and returns its result with its wall time in milliseconds. */
async function timed<T>(step: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const start = performance.now();
	const value = await step();
	return { value, ms: performance.now() - start };
}

async function run(world: BenchWorld): Promise<ScenarioResult> {
	const started = Date.now();
	const { runs, notes: count } = world.sizes;
	const [therapist] = (await registerAccounts(world.synapse, 'notes-therapist', 1)) as [Account];
	const recoveryKey = await setUpAccountEncryption(world.synapse, therapist);
	world.log(`notes: writing ${count} encrypted notes`);
	const seedStart = Date.now();
	const { noteIds, clientUserIds } = await seedNotes(world, therapist, recoveryKey);
	const seedSeconds = (Date.now() - seedStart) / 1000;
	// A note from the middle, so neither end of any ordering favours it.
	const openedNoteId = noteIds[Math.floor(noteIds.length / 2)] as string;
	const openedClient = clientUserIds[0] as string;

	const recorder = new MetricRecorder();
	for (let runIndex = 1; runIndex <= runs; runIndex++) {
		world.log(`notes: run ${runIndex}/${runs}, a new device lists and opens ${count} notes`);
		const startDevice = await timed(() => startTherapistDevice(world, therapist, recoveryKey));
		const device = startDevice.value;
		try {
			const opened = await timed(() =>
				NotesService.open({ matrixClient: device.matrixClient, auditOnFirstUse: false })
			);
			const notes = opened.value;
			try {
				const one = await timed(() => notes.getNote(openedNoteId));
				if (one.value?.status !== 'ok')
					throw new Error(`The opened note read as ${one.value?.status ?? 'missing'}`);
				const list = await timed(() => notes.listNotes());
				const readable = list.value.filter((version) => version.status === 'ok').length;
				if (readable !== count) {
					const problems = list.value
						.filter((version) => version.status !== 'ok')
						.map((version) =>
							'reason' in version ? `${version.status} (${version.reason})` : version.status
						);
					throw new Error(
						`${readable} of ${count} notes decrypted and validated; the others: ${[...new Set(problems)].join(', ') || 'missing'}`
					);
				}
				const clientList = await timed(() => notes.listClientNotes(openedClient));
				const history = await timed(() => notes.getHistory(openedNoteId));
				if (history.value.length !== 1)
					throw new Error(`The opened note has ${history.value.length} versions, expected 1`);

				recorder.record(
					'start',
					'New device: sign-in and first sync (notes room state included)',
					'ms',
					startDevice.ms
				);
				recorder.record('open', 'Open notes (keyring from secret storage)', 'ms', opened.ms);
				recorder.record('open-one', 'Open one note, nothing read yet', 'ms', one.ms);
				recorder.record('list', `List all ${count} notes, each decrypted`, 'ms', list.ms);
				recorder.record('per-note', 'List: time per note', 'ms', list.ms / count);
				recorder.record(
					'client-list',
					`List one client's ${clientList.value.length} notes after that`,
					'ms',
					clientList.ms
				);
				recorder.record(
					'history',
					"Open one note's history (first read of the notes timeline)",
					'ms',
					history.ms
				);
			} finally {
				notes.close();
			}
			// First use on a device: every note event of the timeline is read and checked.
			const audited = await timed(() => NotesService.open({ matrixClient: device.matrixClient }));
			audited.value.close();
			recorder.record(
				'first-use',
				`First use on a device: open with the audit of all ${count} note events`,
				'ms',
				audited.ms
			);
		} finally {
			await stopTherapistDevice(device);
		}
	}

	return measuredResult(notesScenario, started, {
		parameters: {
			notes: count,
			clients: clientUserIds.length,
			runs,
			'seeding took (s)': Math.round(seedSeconds)
		},
		recorder,
		notes: [
			"This scenario calls NotesService (src/lib/notes), the layer under the notes panel, in the benchmark's Node process: the same code and Synapse, Node's WebCrypto instead of Chromium's, and no rendering. The times are what the panel waits for before it can draw; the panel's own rendering of 1,000 notes is not measured.",
			`Each note is a SOAP progress note of about ${Math.round(averageNoteLength(count) / 100) * 100} characters of text, written one at a time by the therapist's seeding device; each is one state event in the notes room, encrypted with AES-256-GCM under the notes key.`,
			'Each run signs in a new device of the therapist that holds the secret-storage key (as after entering the recovery key), so nothing is cached: the keyring is read from secret storage, every note is decrypted and validated against its schema, and the device is deleted at the end of the run.',
			'"Open one note" reads one note before anything else; "List" then reads all of them (the opened one from the cache); the client list and the history follow with the cache warm. "First use" opens the notes as a device does the first time: it pages through the whole notes timeline with /messages and checks every version.'
		]
	});
}

/** Average length of the text fields of the seeded notes, for the page. */
function averageNoteLength(count: number): number {
	const texts = messageBodies(Math.min(count, 100) * 6, 11, 'Note');
	return texts.reduce((sum, text) => sum + text.length, 0) / Math.min(count, 100);
}

export const notesScenario: Scenario = { id: 'notes', title: 'Therapist notes', run };
