import { describe, expect, it } from 'vitest';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import { encryptNote, decryptNoteContent } from '../../../src/lib/notes/note-crypto.ts';
import { makeNote } from './note-fixtures.ts';

const location = {
	roomId: '!room',
	eventType: 'app.alcove.note',
	stateKey: 'AAAAAAAAAAAAAAAAAAAAAA'
};

describe('NotesKeyring', () => {
	it('serializes and parses every key', async () => {
		const keyring = await (await NotesKeyring.generate(1000)).rotate(2000);

		const parsed = await NotesKeyring.parse(keyring.serialize());

		expect(parsed.keyIds.sort()).toEqual(keyring.keyIds.sort());
		expect(parsed.current.id).toBe(keyring.current.id);
	});

	it('decrypts with a parsed copy of the keys', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location);
		const copy = await NotesKeyring.parse(keyring.serialize());

		const result = await decryptNoteContent(
			content as unknown as Record<string, unknown>,
			(keyId) => copy.get(keyId),
			location
		);

		expect(result.ok).toBe(true);
	});

	it('keeps old keys and makes the new key current on rotation', async () => {
		const keyring = await NotesKeyring.generate(1000);
		const oldKeyId = keyring.current.id;

		const rotated = await keyring.rotate(2000);

		expect(rotated.keyIds).toHaveLength(2);
		expect(rotated.get(oldKeyId)).toBeDefined();
		expect(rotated.current.id).not.toBe(oldKeyId);
	});

	it('rotates to a newer key even when the clock is behind', async () => {
		const keyring = await NotesKeyring.generate(5000);

		const rotated = await keyring.rotate(1000);

		expect(rotated.current.id).not.toBe(keyring.current.id);
		expect(rotated.current.createdAt).toBeGreaterThan(5000);
	});

	it('merges in either order to the same current key', async () => {
		const first = await NotesKeyring.generate(1000);
		const second = await NotesKeyring.generate(2000);

		const ab = first.merge(second);
		const ba = second.merge(first);

		expect(ab.keyIds.sort()).toEqual(ba.keyIds.sort());
		expect(ab.current.id).toBe(second.current.id);
		expect(ba.current.id).toBe(second.current.id);
		expect(ab.contains(first)).toBe(true);
		expect(first.contains(ab)).toBe(false);
	});

	it('rejects malformed serializations', async () => {
		const valid = JSON.parse((await NotesKeyring.generate()).serialize()) as {
			keys: Record<string, { key: string }>;
		};
		const [keyId = ''] = Object.keys(valid.keys);
		const cases = [
			'not json',
			JSON.stringify({ version: 2, keys: valid.keys }),
			JSON.stringify({ version: 1, keys: {} }),
			JSON.stringify({ version: 1, keys: { short: valid.keys[keyId] } }),
			JSON.stringify({ version: 1, keys: { [keyId]: { key: 'AAAA', created_at: 1 } } })
		];

		for (const serialized of cases) {
			await expect(NotesKeyring.parse(serialized)).rejects.toMatchObject({
				code: 'notes_keyring_invalid'
			});
		}
	});
});
