import { createClient, KnownMembership, MatrixEvent, Room } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { careRoomCreateOptions } from '../../../src/lib/matrix/care-room.ts';
import { CARE_ROOM_TYPE } from '../../../src/lib/matrix/event-types.ts';
import { clientCandidates, mayKeepNotesIn } from '../../../src/lib/notes/care-room-notes.ts';

const THERAPIST = '@dr.lane:clinic.example';
const CLIENT = '@river:clinic.example';
const WRITER = '@writer:clinic.example';
const ADMIN_COLLEAGUE = '@colleague:clinic.example';
const ROOM_ID = '!careroomhash';

function stateEvent(type: string, stateKey: string, sender: string, content: object): MatrixEvent {
	return new MatrixEvent({
		type,
		state_key: stateKey,
		sender,
		content,
		room_id: ROOM_ID,
		event_id: `$${type}-${stateKey}`,
		origin_server_ts: 1
	});
}

function member(userId: string, membership: string): MatrixEvent {
	return stateEvent('m.room.member', userId, userId, { membership });
}

/**
 * Builds the care room as it appears to `viewer`: created by the therapist with
 * Alcove's power levels, the client at 0, a colleague who may only write,
 * and one with state power.
 */
function careRoom(viewer: string, options: { type?: string } = {}): Room {
	const matrixClient = createClient({ baseUrl: 'http://127.0.0.1:9', userId: viewer });
	const room = new Room(ROOM_ID, matrixClient, viewer);
	const powerLevels = careRoomCreateOptions(CLIENT).power_level_content_override ?? {};
	room.currentState.setStateEvents([
		stateEvent('m.room.create', '', THERAPIST, {
			room_version: '12',
			type: options.type ?? CARE_ROOM_TYPE
		}),
		stateEvent('m.room.power_levels', '', THERAPIST, {
			...powerLevels,
			users: { ...powerLevels.users, [WRITER]: 0, [ADMIN_COLLEAGUE]: 100 }
		}),
		member(THERAPIST, KnownMembership.Join),
		member(CLIENT, KnownMembership.Join),
		member(WRITER, KnownMembership.Join),
		member(ADMIN_COLLEAGUE, KnownMembership.Join)
	]);
	room.updateMyMembership(KnownMembership.Join);
	return room;
}

describe('mayKeepNotesIn', () => {
	it('lets the creating therapist keep notes', () => {
		expect(mayKeepNotesIn(careRoom(THERAPIST), THERAPIST)).toBe(true);
	});

	it('lets a colleague with state power keep notes', () => {
		expect(mayKeepNotesIn(careRoom(ADMIN_COLLEAGUE), ADMIN_COLLEAGUE)).toBe(true);
	});

	it('never offers notes to the client', () => {
		expect(mayKeepNotesIn(careRoom(CLIENT), CLIENT)).toBe(false);
	});

	it('never offers notes to a member who may only write', () => {
		expect(mayKeepNotesIn(careRoom(WRITER), WRITER)).toBe(false);
	});

	it('offers no notes outside care rooms', () => {
		expect(mayKeepNotesIn(careRoom(THERAPIST, { type: 'm.other' }), THERAPIST)).toBe(false);
	});

	it('offers no notes before joining', () => {
		const room = careRoom(THERAPIST);
		room.updateMyMembership(KnownMembership.Invite);
		expect(mayKeepNotesIn(room, THERAPIST)).toBe(false);
	});
});

describe('clientCandidates', () => {
	it('lists the members below the therapists', () => {
		expect(clientCandidates(careRoom(THERAPIST), THERAPIST)).toEqual([CLIENT, WRITER].sort());
	});

	it('keeps a client who has left', () => {
		const room = careRoom(THERAPIST);
		room.currentState.setStateEvents([member(WRITER, KnownMembership.Ban)]);
		room.currentState.setStateEvents([
			stateEvent('m.room.member', CLIENT, CLIENT, { membership: KnownMembership.Leave })
		]);
		expect(clientCandidates(room, THERAPIST)).toEqual([CLIENT]);
	});
});
