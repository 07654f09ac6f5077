import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../../src/lib/notes/base64.ts';
import { NOTE_EVENT_TYPE, type NoteEventContent } from '../../../src/lib/notes/event-types.ts';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import {
	decryptNoteContent,
	encodePaddedJson,
	encryptNote,
	encryptNoteBytes,
	type NoteLocation
} from '../../../src/lib/notes/note-crypto.ts';
import { readNoteVersion, type RawNoteEvent } from '../../../src/lib/notes/note-reader.ts';
import { makeNote, NOTES_ROOM, THERAPIST } from './note-fixtures.ts';

const NOTE_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const OTHER_NOTE_ID = 'BBBBBBBBBBBBBBBBBBBBBB';

function location(stateKey = NOTE_ID, roomId = NOTES_ROOM): NoteLocation {
	return { roomId, eventType: NOTE_EVENT_TYPE, stateKey };
}

function rawEvent(content: object, noteId = NOTE_ID, sender = THERAPIST): RawNoteEvent {
	return {
		eventId: '$version',
		noteId,
		sender,
		sentAt: 1_790_000_000_000,
		content: content as Record<string, unknown>,
		redacted: false
	};
}

async function read(keyring: NotesKeyring, content: object, noteId = NOTE_ID, sender = THERAPIST) {
	return readNoteVersion(rawEvent(content, noteId, sender), {
		roomId: NOTES_ROOM,
		ownerUserId: THERAPIST,
		keyring
	});
}

function flipByte(base64: string, index: number): string {
	const bytes = decodeBase64(base64);
	bytes[index] = (bytes[index] ?? 0) ^ 0x01;
	return encodeBase64(bytes);
}

describe('note encryption', () => {
	it('round-trips a note', async () => {
		const keyring = await NotesKeyring.generate();
		const note = makeNote();
		const content = await encryptNote(note, keyring.current, location());

		const version = await read(keyring, content);

		expect(version).toMatchObject({ status: 'ok', keyId: keyring.current.id });
		expect(version).toHaveProperty('note', note);
	});

	it('writes only the envelope fields', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location());

		expect(Object.keys(content).sort()).toEqual(['alg', 'ciphertext', 'iv', 'key_id', 'v']);
		expect(content.v).toBe(1);
		expect(content.alg).toBe('A256GCM');
		expect(decodeBase64(content.iv)).toHaveLength(12);
		expect(JSON.stringify(content)).not.toContain('Reports sleeping');
	});

	it('uses a fresh IV for every write', async () => {
		const keyring = await NotesKeyring.generate();
		const first = await encryptNote(makeNote(), keyring.current, location());
		const second = await encryptNote(makeNote(), keyring.current, location());

		expect(first.iv).not.toBe(second.iv);
		expect(first.ciphertext).not.toBe(second.ciphertext);
	});

	it('pads plaintexts to 256-byte blocks', async () => {
		const keyring = await NotesKeyring.generate();
		const short = await encryptNote(makeNote({ title: 'a' }), keyring.current, location());
		const longer = await encryptNote(
			makeNote({ title: 'abcdefghij' }),
			keyring.current,
			location()
		);

		// 16 bytes of GCM tag follow the padded plaintext.
		expect((decodeBase64(short.ciphertext).length - 16) % 256).toBe(0);
		expect(decodeBase64(short.ciphertext).length).toBe(decodeBase64(longer.ciphertext).length);
	});
});

describe('tampered note content', () => {
	it('rejects a ciphertext copied to another state key', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location(NOTE_ID));

		const version = await read(keyring, content, OTHER_NOTE_ID);

		expect(version).toMatchObject({ status: 'damaged', reason: 'authentication_failed' });
	});

	it('rejects a ciphertext copied to another room', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location(NOTE_ID, '!other'));

		const version = await read(keyring, content);

		expect(version).toMatchObject({ status: 'damaged', reason: 'authentication_failed' });
	});

	it('rejects a modified ciphertext byte', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location());

		for (const index of [0, 100, decodeBase64(content.ciphertext).length - 1]) {
			const tampered = { ...content, ciphertext: flipByte(content.ciphertext, index) };
			expect(await read(keyring, tampered)).toMatchObject({
				status: 'damaged',
				reason: 'authentication_failed'
			});
		}
	});

	it('rejects a modified IV', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location());

		const version = await read(keyring, { ...content, iv: flipByte(content.iv, 3) });

		expect(version).toMatchObject({ status: 'damaged', reason: 'authentication_failed' });
	});

	it('rejects a key ID swapped for another key of the keyring', async () => {
		const keyring = await (await NotesKeyring.generate(1000)).rotate(2000);
		const [oldKeyId] = keyring.keyIds.filter((id) => id !== keyring.current.id);
		const content = await encryptNote(makeNote(), keyring.current, location());

		const version = await read(keyring, { ...content, key_id: oldKeyId });

		expect(version).toMatchObject({ status: 'damaged', reason: 'authentication_failed' });
	});

	it('reports an unknown key ID', async () => {
		const keyring = await NotesKeyring.generate();
		const otherKeyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), otherKeyring.current, location());

		const version = await read(keyring, content);

		expect(version).toMatchObject({ status: 'damaged', reason: 'unknown_key' });
	});

	it('reports an unknown version', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location());

		expect(await read(keyring, { ...content, v: 2 })).toMatchObject({
			status: 'damaged',
			reason: 'unsupported_version'
		});
		expect(await read(keyring, { ...content, v: '1' })).toMatchObject({
			status: 'damaged',
			reason: 'malformed_content'
		});
	});

	it('reports an unknown algorithm', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location());

		const version = await read(keyring, { ...content, alg: 'A128CBC-HS256' });

		expect(version).toMatchObject({ status: 'damaged', reason: 'unsupported_algorithm' });
	});

	it('reports malformed envelopes', async () => {
		const keyring = await NotesKeyring.generate();
		const content: NoteEventContent = await encryptNote(makeNote(), keyring.current, location());
		const cases: object[] = [
			{ ...content, extra: 'field' },
			{ ...content, iv: 'not base64!!!!!!' },
			{ ...content, iv: encodeBase64(new Uint8Array(16)) },
			{ ...content, ciphertext: '***' },
			{ ...content, ciphertext: encodeBase64(new Uint8Array(8)) },
			{ ...content, key_id: 7 },
			{ v: 1 }
		];

		for (const tampered of cases) {
			expect(await read(keyring, tampered)).toMatchObject({
				status: 'damaged',
				reason: 'malformed_content'
			});
		}
	});

	it('reports a note from another sender without decrypting it', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location());

		const version = await read(keyring, content, NOTE_ID, '@mallory:clinic.example');

		expect(version).toMatchObject({ status: 'damaged', reason: 'unexpected_sender' });
	});

	it('reads empty content as deleted', async () => {
		const keyring = await NotesKeyring.generate();

		expect(await read(keyring, {})).toMatchObject({ status: 'deleted' });
	});

	it('never returns content of a damaged note', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await encryptNote(makeNote(), keyring.current, location(NOTE_ID));

		const version = await read(keyring, content, OTHER_NOTE_ID);

		expect(Object.keys(version).sort()).toEqual([
			'eventId',
			'noteId',
			'reason',
			'sentAt',
			'status'
		]);
	});
});

describe('decrypted plaintext', () => {
	async function sealed(keyring: NotesKeyring, bytes: Uint8Array<ArrayBuffer>) {
		return encryptNoteBytes(bytes, keyring.current, location());
	}

	it('reports invalid UTF-8 as malformed', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await sealed(keyring, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));

		expect(await read(keyring, content)).toMatchObject({
			status: 'damaged',
			reason: 'malformed_plaintext'
		});
	});

	it('reports non-JSON as malformed', async () => {
		const keyring = await NotesKeyring.generate();
		const content = await sealed(keyring, new TextEncoder().encode('{"kind": "progress",'));

		expect(await read(keyring, content)).toMatchObject({
			status: 'damaged',
			reason: 'malformed_plaintext'
		});
	});

	it('reports JSON that fails the schema as malformed', async () => {
		const keyring = await NotesKeyring.generate();
		const withoutRevision: Partial<ReturnType<typeof makeNote>> = makeNote();
		delete withoutRevision.revision;
		const content = await sealed(keyring, encodePaddedJson(withoutRevision));

		expect(await read(keyring, content)).toMatchObject({
			status: 'damaged',
			reason: 'malformed_plaintext'
		});
	});
});

describe('decryptNoteContent', () => {
	it('looks up the key named in the event', async () => {
		const keyring = await (await NotesKeyring.generate(1000)).rotate(2000);
		const [oldKeyId = ''] = keyring.keyIds.filter((id) => id !== keyring.current.id);
		const oldKey = keyring.get(oldKeyId);
		if (!oldKey) throw new Error('The rotated keyring lost its old key');
		const content = await encryptNote(makeNote(), oldKey, location());
		const requested: string[] = [];

		const result = await decryptNoteContent(
			content as unknown as Record<string, unknown>,
			(keyId) => {
				requested.push(keyId);
				return keyring.get(keyId);
			},
			location()
		);

		expect(result.ok).toBe(true);
		expect(requested).toEqual([oldKeyId]);
	});
});
