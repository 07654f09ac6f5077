import type { MatrixClient } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { NotesState } from '../../../src/lib/state/notes.svelte.ts';

/** A matrixClient without Rust crypto, as before initRustCrypto. */
function clientWithoutCrypto(): MatrixClient {
	return {
		getSafeUserId: () => '@dr.lane:clinic.example',
		getDeviceId: () => 'DEVICE',
		getCrypto: () => undefined
	} as unknown as MatrixClient;
}

describe('NotesState.open', () => {
	it('reports missing encryption plainly', async () => {
		const notes = new NotesState(clientWithoutCrypto());
		await notes.open();
		expect(notes.status).toBe('unavailable');
		expect(notes.problem?.code).toBe('crypto_not_ready');
		expect(notes.problem?.missing).toBe('Encryption is not ready on this device.');
		expect(notes.problem?.action).toMatch(/try again/i);
	});

	it('shares one opening between callers', async () => {
		const notes = new NotesState(clientWithoutCrypto());
		const first = notes.open();
		const second = notes.open();
		expect(second).toBe(first);
		await first;
		expect(notes.status).toBe('unavailable');
	});

	it('throws on access before opening', () => {
		const notes = new NotesState(clientWithoutCrypto());
		expect(() => notes.service).toThrow(/not open/);
		expect(() => notes.draftStore).toThrow(/not open/);
	});
});
