import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotesDeviceStore } from '../../../src/lib/notes/device-store.ts';
import { NoteDraftStore, newDraftId, type NoteDraft } from '../../../src/lib/notes/drafts.ts';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import { CLIENT, THERAPIST } from './note-fixtures.ts';

const SECRET_PHRASE = 'Mentions a panic attack at the station';

function draft(overrides: Partial<NoteDraft> = {}): NoteDraft {
	return {
		draftId: newDraftId(),
		noteId: null,
		baseRevision: null,
		updatedAt: 1_790_000_000_000,
		fields: {
			clientUserId: CLIENT,
			kind: 'progress',
			class: 'psychotherapy',
			template: { type: 'free', text: SECRET_PHRASE },
			sessionDate: '2026-1'
		},
		addendum: null,
		...overrides
	};
}

/** Reads every value of every object store, as an attacker with the files would. */
async function dumpDatabase(factory: IDBFactory, name: string): Promise<string> {
	const database = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = factory.open(name);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const values: unknown[] = [];
	for (const storeName of database.objectStoreNames) {
		const all = await new Promise<unknown[]>((resolve, reject) => {
			const request = database.transaction(storeName).objectStore(storeName).getAll();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		values.push(...all);
	}
	database.close();
	return JSON.stringify(values, (_key, value: unknown) =>
		value instanceof Uint8Array ? new TextDecoder().decode(value) : value
	);
}

describe('NoteDraftStore', () => {
	let factory: IDBFactory;
	let store: NotesDeviceStore;
	let keyring: NotesKeyring;
	const options = (): { userId: string; deviceId: string; indexedDB: IDBFactory } => ({
		userId: THERAPIST,
		deviceId: 'DEVICE1',
		indexedDB: factory
	});

	beforeEach(async () => {
		factory = new IDBFactory();
		store = await NotesDeviceStore.open(options());
		keyring = await NotesKeyring.generate();
	});

	afterEach(() => store.close());

	it('saves and loads a draft', async () => {
		const drafts = new NoteDraftStore(store, THERAPIST, keyring);
		const saved = draft();

		await drafts.save(saved);

		expect(await drafts.load(saved.draftId)).toEqual(saved);
	});

	it('keeps a draft across a reload', async () => {
		const saved = draft();
		await new NoteDraftStore(store, THERAPIST, keyring).save(saved);
		store.close();

		store = await NotesDeviceStore.open(options());
		const reloaded = new NoteDraftStore(store, THERAPIST, keyring);

		expect(await reloaded.load(saved.draftId)).toEqual(saved);
	});

	it('stores no plaintext', async () => {
		await new NoteDraftStore(store, THERAPIST, keyring).save(draft());

		const dump = await dumpDatabase(factory, `alcove-notes:${THERAPIST}:DEVICE1`);

		expect(dump).toContain('ciphertext');
		expect(dump).not.toContain('panic attack');
		expect(dump).not.toContain(CLIENT);
		expect(dump).not.toContain('psychotherapy');
	});

	it('lists drafts newest first and deletes them', async () => {
		const drafts = new NoteDraftStore(store, THERAPIST, keyring);
		const older = draft({ updatedAt: 1000 });
		const newer = draft({ updatedAt: 2000 });
		await drafts.save(older);
		await drafts.save(newer);

		expect((await drafts.list()).map((entry) => entry.draftId)).toEqual([
			newer.draftId,
			older.draftId
		]);

		await drafts.delete(older.draftId);

		expect(await drafts.load(older.draftId)).toBeUndefined();
		expect(await drafts.list()).toHaveLength(1);
	});

	it('reads drafts written before a key rotation', async () => {
		const saved = draft();
		await new NoteDraftStore(store, THERAPIST, keyring).save(saved);

		const rotated = new NoteDraftStore(store, THERAPIST, await keyring.rotate());

		expect(await rotated.load(saved.draftId)).toEqual(saved);
	});

	it('reports a draft whose key is missing', async () => {
		const saved = draft();
		await new NoteDraftStore(store, THERAPIST, keyring).save(saved);

		const other = new NoteDraftStore(store, THERAPIST, await NotesKeyring.generate());

		expect(await other.load(saved.draftId)).toEqual({
			draftId: saved.draftId,
			reason: 'unknown_key'
		});
		expect(await other.list()).toEqual([]);
	});

	it('rejects a draft copied under another ID', async () => {
		const saved = draft();
		await new NoteDraftStore(store, THERAPIST, keyring).save(saved);
		const record = await store.getDraft(saved.draftId);
		if (!record) throw new Error('The draft was not stored');
		await store.putDraft({ ...record, draftId: 'copied' });

		const drafts = new NoteDraftStore(store, THERAPIST, keyring);

		expect(await drafts.load('copied')).toEqual({
			draftId: 'copied',
			reason: 'authentication_failed'
		});
	});

	it('rejects a draft read as another user', async () => {
		const saved = draft();
		await new NoteDraftStore(store, THERAPIST, keyring).save(saved);

		const drafts = new NoteDraftStore(store, '@other:clinic.example', keyring);

		expect(await drafts.load(saved.draftId)).toMatchObject({ reason: 'authentication_failed' });
	});

	it('rejects a draft with fields of the wrong type', async () => {
		const drafts = new NoteDraftStore(store, THERAPIST, keyring);
		const invalid = draft({ fields: { kind: 'diagnosis' } as unknown as NoteDraft['fields'] });

		await expect(drafts.save(invalid)).rejects.toThrow();
	});

	it('loses nothing but the cache when the store is deleted', async () => {
		await new NoteDraftStore(store, THERAPIST, keyring).save(draft());
		store.close();

		await NotesDeviceStore.delete(options());
		store = await NotesDeviceStore.open(options());

		expect(await new NoteDraftStore(store, THERAPIST, keyring).list()).toEqual([]);
	});
});
