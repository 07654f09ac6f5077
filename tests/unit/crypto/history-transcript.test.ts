import { describe, expect, it } from 'vitest';
import { invitedMemberPowerLevel } from '../../../src/lib/matrix/crypto/history-sharing.ts';
import {
	decodeTranscript,
	encodeTranscript,
	roomHistoryMessageSchema,
	type SharedHistoryEvent
} from '../../../src/lib/matrix/crypto/history-transcript.ts';

const roomId = '!room:clinic.example';
const therapist = '@therapist:clinic.example';

const events: SharedHistoryEvent[] = [
	{
		eventId: '$first',
		sender: '@client:clinic.example',
		originServerTs: 1_700_000_000_000,
		type: 'm.room.message',
		content: { msgtype: 'm.text', body: 'I slept badly again.' }
	},
	{
		eventId: '$second',
		sender: therapist,
		originServerTs: 1_700_000_060_000,
		type: 'm.room.message',
		content: { msgtype: 'm.text', body: 'Let us look at that on Thursday.' }
	}
];

function bytesOf(value: unknown): ArrayBuffer {
	return new TextEncoder().encode(JSON.stringify(value)).buffer;
}

describe('transcript encoding', () => {
	it('round-trips the events in order', () => {
		const bytes = encodeTranscript(roomId, therapist, events);

		expect(decodeTranscript(bytes.buffer, { roomId, sharedBy: therapist })).toEqual(events);
	});

	it('rejects a transcript for another room', () => {
		const bytes = encodeTranscript('!other:clinic.example', therapist, events);

		expect(() => decodeTranscript(bytes.buffer, { roomId, sharedBy: therapist })).toThrow(
			'another room'
		);
	});

	it('rejects a transcript that names another sender', () => {
		const bytes = encodeTranscript(roomId, '@mallory:clinic.example', events);

		expect(() => decodeTranscript(bytes.buffer, { roomId, sharedBy: therapist })).toThrow(
			'another sender'
		);
	});

	it('rejects an unknown version', () => {
		const bytes = bytesOf({ version: 2, room_id: roomId, shared_by: therapist, events: [] });

		expect(() => decodeTranscript(bytes, { roomId, sharedBy: therapist })).toThrow('Malformed');
	});

	it('rejects event types other than messages', () => {
		const bytes = bytesOf({
			version: 1,
			room_id: roomId,
			shared_by: therapist,
			events: [
				{
					event_id: '$state',
					sender: therapist,
					origin_server_ts: 1,
					type: 'm.room.power_levels',
					content: {}
				}
			]
		});

		expect(() => decodeTranscript(bytes, { roomId, sharedBy: therapist })).toThrow('Malformed');
	});

	it('rejects bytes that are not JSON', () => {
		const bytes = new TextEncoder().encode('not json').buffer;

		expect(() => decodeTranscript(bytes, { roomId, sharedBy: therapist })).toThrow();
	});
});

describe('roomHistoryMessageSchema', () => {
	const file = {
		url: 'mxc://clinic.example/abc',
		key: { kty: 'oct', key_ops: ['encrypt', 'decrypt'], alg: 'A256CTR', k: 'a2V5', ext: true },
		iv: 'aXY',
		hashes: { sha256: 'aGFzaA' },
		v: 'v2'
	};

	it('accepts a well-formed announcement', () => {
		expect(
			roomHistoryMessageSchema.safeParse({ room_id: roomId, file, event_count: 2 }).success
		).toBe(true);
	});

	it('rejects a file that is not on a Matrix content repository', () => {
		const parsed = roomHistoryMessageSchema.safeParse({
			room_id: roomId,
			file: { ...file, url: 'https://evil.example/transcript' },
			event_count: 2
		});

		expect(parsed.success).toBe(false);
	});

	it('rejects a file without its hash', () => {
		const unhashed: Partial<typeof file> = { ...file };
		delete unhashed.hashes;

		expect(
			roomHistoryMessageSchema.safeParse({ room_id: roomId, file: unhashed, event_count: 2 })
				.success
		).toBe(false);
	});
});

describe('invitedMemberPowerLevel', () => {
	const careRoom = {
		events_default: 0,
		state_default: 100,
		events: { 'm.room.power_levels': 100 }
	};

	it('lets the invitee write but not change state', () => {
		expect(invitedMemberPowerLevel(careRoom, false)).toBe(0);
	});

	it('gives state power when chosen', () => {
		expect(invitedMemberPowerLevel(careRoom, true)).toBe(100);
	});

	it('raises the level to what encrypted messages need', () => {
		const levels = { ...careRoom, events: { 'm.room.encrypted': 10 } };

		expect(invitedMemberPowerLevel(levels, false)).toBe(10);
	});

	it('uses the specification defaults when levels are missing', () => {
		expect(invitedMemberPowerLevel({}, false)).toBe(0);
		expect(invitedMemberPowerLevel({}, true)).toBe(50);
	});

	it('refuses a room where writing implies state power', () => {
		expect(() => invitedMemberPowerLevel({ events_default: 50, state_default: 50 }, false)).toThrow(
			'also allows state changes'
		);
	});
});
