import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KnownMembership, MatrixError } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCareRoom } from '../../../src/lib/matrix/care-room.ts';
import { NoteDraftStore, newDraftId } from '../../../src/lib/notes/drafts.ts';
import {
	NOTE_EVENT_TYPE,
	NOTES_KEYRING_SECRET,
	NOTES_ROOM_TYPE
} from '../../../src/lib/notes/event-types.ts';
import type { NotesService } from '../../../src/lib/notes/notes-service.ts';
import { NOTES_ROOM_VERSION, notesRoomCreateOptions } from '../../../src/lib/notes/notes-room.ts';
import {
	createTestUser,
	registerTestUser,
	stopTestUser,
	waitFor,
	type TestUser
} from '../../support/matrix-users.ts';
import {
	createTherapist,
	distinctivePhrase,
	homeserverRequest,
	openNotes,
	stopDevice,
	type TherapistAccount
} from '../../support/notes-helpers.ts';

interface ServerEvent {
	type: string;
	sender: string;
	state_key?: string;
	content: Record<string, unknown>;
}

const ENVELOPE_FIELDS = ['alg', 'ciphertext', 'iv', 'key_id', 'v'];

describe('notes privacy', () => {
	let therapist: TherapistAccount;
	let notes: NotesService;
	let client: TestUser;
	let colleague: TestUser;
	let adminToken: string;
	let careRoomId: string;
	let noteId: string;
	let noteEventId: string;
	/** Text that is only ever written into a note or a draft. */
	const phrases = {
		title: distinctivePhrase('Title'),
		subjective: distinctivePhrase('Subjective'),
		assessment: distinctivePhrase('Assessment'),
		plan: distinctivePhrase('Plan'),
		goal: distinctivePhrase('Goal'),
		intervention: distinctivePhrase('Intervention'),
		addendum: distinctivePhrase('Addendum'),
		draft: distinctivePhrase('Draft')
	};

	function expectNoPlaintext(text: string, where: string): void {
		for (const [field, phrase] of Object.entries(phrases)) {
			expect(text, `${where} contains the ${field} phrase`).not.toContain(phrase);
		}
		expect(text, `${where} contains the notes key`).not.toContain(
			JSON.parse(notes.keyring.serialize()).keys[notes.keyring.current.id].key
		);
	}

	beforeAll(async () => {
		therapist = await createTherapist();
		client = await createTestUser('client');
		colleague = await createTestUser('colleague');
		adminToken = (await registerTestUser('admin', { admin: true })).accessToken;

		const matrixClient = therapist.firstDevice.matrixClient;
		careRoomId = await createCareRoom(matrixClient, client.userId);
		await waitFor(client.matrixClient, 'the care room invitation', () =>
			client.matrixClient.getRoom(careRoomId)?.getMyMembership() === KnownMembership.Invite
				? true
				: undefined
		);
		await client.matrixClient.joinRoom(careRoomId);

		notes = await openNotes(therapist.firstDevice);
		const created = await notes.createNote({
			clientUserId: client.userId,
			careRoomId,
			kind: 'treatment_plan',
			class: 'psychotherapy',
			title: phrases.title,
			sessionDate: '2026-11-03',
			template: {
				type: 'soap',
				subjective: phrases.subjective,
				objective: 'Attended.',
				assessment: phrases.assessment,
				plan: phrases.plan
			},
			goals: [
				{
					id: 'goal-1',
					description: phrases.goal,
					status: 'in_progress',
					targetDate: '2027-01-31',
					interventions: [phrases.intervention],
					reviewDates: ['2026-12-15']
				}
			]
		});
		await notes.signNote(created.noteId);
		const amended = await notes.addAddendum(created.noteId, {
			reason: 'Late entry',
			text: phrases.addendum
		});
		noteId = amended.noteId;
		noteEventId = amended.eventId;
		await new NoteDraftStore(
			therapist.firstDevice.deviceStore,
			therapist.userId,
			notes.keyring
		).save({
			draftId: newDraftId(),
			noteId: null,
			baseRevision: null,
			updatedAt: Date.now(),
			fields: { template: { type: 'free', text: phrases.draft } },
			addendum: null
		});
		await waitFor(matrixClient, 'the addendum in the room state', () =>
			matrixClient
				.getRoom(notes.roomId)
				?.currentState.getStateEvents(NOTE_EVENT_TYPE, noteId)
				?.getId() === noteEventId
				? true
				: undefined
		);
	});

	afterAll(() => {
		notes.close();
		stopDevice(therapist.firstDevice);
		stopTestUser(client);
		stopTestUser(colleague);
	});

	it('creates the notes room private and locked', async () => {
		const { status, text } = await homeserverRequest(
			`/_synapse/admin/v1/rooms/${encodeURIComponent(notes.roomId)}/state`,
			adminToken
		);
		const { state } = JSON.parse(text) as { state: ServerEvent[] };
		const content = (type: string): Record<string, unknown> | undefined =>
			state.find((event) => event.type === type && event.state_key === '')?.content;
		const powerLevels = content('m.room.power_levels');

		expect(status).toBe(200);
		expect(content('m.room.create')).toMatchObject({
			type: NOTES_ROOM_TYPE,
			room_version: NOTES_ROOM_VERSION
		});
		expect(state.find((event) => event.type === 'm.room.create')?.sender).toBe(therapist.userId);
		expect(content('m.room.join_rules')).toEqual({ join_rule: 'invite' });
		expect(content('m.room.history_visibility')).toEqual({ history_visibility: 'joined' });
		expect(content('m.room.guest_access')).toEqual({ guest_access: 'forbidden' });
		expect(content('m.room.encryption')).toEqual({ algorithm: 'm.megolm.v1.aes-sha2' });
		expect(content('m.room.name')).toBeUndefined();
		expect(content('m.room.topic')).toBeUndefined();
		expect(powerLevels).toMatchObject({ users: {}, state_default: 100, events_default: 100 });
		expect(powerLevels?.events).toMatchObject({ [NOTE_EVENT_TYPE]: 100 });
		expect(
			state
				.filter((event) => event.type === 'm.room.member')
				.map((event) => [event.state_key, event.content.membership])
		).toEqual([[therapist.userId, 'join']]);
	});

	it('shows the administrator only ciphertext', async () => {
		const room = encodeURIComponent(notes.roomId);
		const user = encodeURIComponent(therapist.userId);
		const responses = {
			state: await homeserverRequest(`/_synapse/admin/v1/rooms/${room}/state`, adminToken),
			messages: await homeserverRequest(
				`/_synapse/admin/v1/rooms/${room}/messages?dir=b&limit=1000`,
				adminToken
			),
			roomDetails: await homeserverRequest(`/_synapse/admin/v1/rooms/${room}`, adminToken),
			user: await homeserverRequest(`/_synapse/admin/v2/users/${user}`, adminToken),
			accountData: await homeserverRequest(
				`/_synapse/admin/v1/users/${user}/accountdata`,
				adminToken
			)
		};

		for (const [name, response] of Object.entries(responses)) {
			expect(response.status, name).toBe(200);
			expectNoPlaintext(response.text, name);
		}
		for (const name of ['state', 'messages', 'roomDetails'] as const) {
			expect(responses[name].text, name).not.toContain(client.userId);
			expect(responses[name].text, name).not.toContain(careRoomId);
		}

		const { state } = JSON.parse(responses.state.text) as { state: ServerEvent[] };
		const { chunk } = JSON.parse(responses.messages.text) as { chunk: ServerEvent[] };
		const noteEvents = [...state, ...chunk].filter((event) => event.type === NOTE_EVENT_TYPE);
		expect(noteEvents.length).toBeGreaterThanOrEqual(4);
		for (const event of noteEvents) {
			expect(Object.keys(event.content).sort()).toEqual(ENVELOPE_FIELDS);
			expect(event.state_key).toMatch(/^[A-Za-z0-9_-]{22}$/);
		}

		const accountData = JSON.parse(responses.accountData.text) as {
			account_data: { global: Record<string, { encrypted?: object }> };
		};
		expect(accountData.account_data.global[NOTES_KEYRING_SECRET]?.encrypted).toBeDefined();
	});

	it('keeps plaintext out of the server database', () => {
		const { dataDir } = inject('synapse');
		const databaseFiles = readdirSync(dataDir).filter((name) => name.startsWith('homeserver.db'));

		const contents = databaseFiles.map((name) =>
			readFileSync(path.join(dataDir, name)).toString('latin1')
		);

		// The scan does find text that the server stores in the clear.
		expect(databaseFiles).toContain('homeserver.db');
		expect(contents.join('')).toContain(therapist.userId);
		contents.forEach((text, index) => expectNoPlaintext(text, databaseFiles[index] ?? ''));
	});

	it('shows the client and a colleague nothing', async () => {
		const room = encodeURIComponent(notes.roomId);
		for (const user of [client, colleague]) {
			const attempts = {
				state: await homeserverRequest(`/_matrix/client/v3/rooms/${room}/state`, user.accessToken),
				noteState: await homeserverRequest(
					`/_matrix/client/v3/rooms/${room}/state/${NOTE_EVENT_TYPE}/${noteId}`,
					user.accessToken
				),
				messages: await homeserverRequest(
					`/_matrix/client/v3/rooms/${room}/messages?dir=b&limit=100`,
					user.accessToken
				),
				event: await homeserverRequest(
					`/_matrix/client/v3/rooms/${room}/event/${encodeURIComponent(noteEventId)}`,
					user.accessToken
				),
				members: await homeserverRequest(
					`/_matrix/client/v3/rooms/${room}/members`,
					user.accessToken
				)
			};
			const sync = await homeserverRequest(
				'/_matrix/client/v3/sync?full_state=true&timeout=0',
				user.accessToken
			);

			for (const [name, response] of Object.entries(attempts)) {
				expect([403, 404], `${name} for ${user.userId}`).toContain(response.status);
				expectNoPlaintext(response.text, `${name} for ${user.userId}`);
			}
			expect(sync.status).toBe(200);
			expect(sync.text).not.toContain(notes.roomId);
			expectNoPlaintext(sync.text, `sync of ${user.userId}`);
		}
	});

	it('rejects the client joining the notes room', async () => {
		const attempt = client.matrixClient.joinRoom(notes.roomId);

		await expect(attempt).rejects.toBeInstanceOf(MatrixError);
		await expect(attempt).rejects.toMatchObject({ httpStatus: 403 });
		expect(client.matrixClient.getRoom(notes.roomId)?.getMyMembership()).not.toBe(
			KnownMembership.Join
		);
	});

	it('rejects note events from a member without power', async () => {
		// A test-only room with the notes room's power levels, into which the
		// therapist invites a colleague, which a real notes room never does.
		const matrixClient = therapist.firstDevice.matrixClient;
		const { room_id: roomId } = await matrixClient.createRoom({
			...notesRoomCreateOptions(),
			creation_content: { type: 'app.alcove.test_room' },
			invite: [colleague.userId]
		});
		await waitFor(colleague.matrixClient, 'the test room invitation', () =>
			colleague.matrixClient.getRoom(roomId)?.getMyMembership() === KnownMembership.Invite
				? true
				: undefined
		);
		await colleague.matrixClient.joinRoom(roomId);
		const content = {
			v: 1,
			alg: 'A256GCM',
			key_id: 'AAAAAAAAAAAAAAAA',
			iv: 'AAAA',
			ciphertext: 'AAAA'
		};

		const byMember = colleague.matrixClient.sendStateEvent(
			roomId,
			NOTE_EVENT_TYPE,
			content,
			'BBBBBBBBBBBBBBBBBBBBBB'
		);
		await expect(byMember).rejects.toMatchObject({ httpStatus: 403, errcode: 'M_FORBIDDEN' });

		const messageByMember = await homeserverRequest(
			`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/txn1`,
			colleague.accessToken,
			{ method: 'PUT', body: { msgtype: 'm.text', body: 'hello' } }
		);
		expect(messageByMember.status).toBe(403);

		// The same event from the creator is accepted, so the rejections above
		// come from the power levels and not from the content.
		const byCreator = await matrixClient.sendStateEvent(
			roomId,
			NOTE_EVENT_TYPE,
			content,
			'CCCCCCCCCCCCCCCCCCCCCC'
		);
		expect(byCreator.event_id).toMatch(/^\$/);
	});
});
