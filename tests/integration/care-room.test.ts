import { randomBytes } from 'node:crypto';
import { EventType, KnownMembership, MatrixError } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CARE_ROOM_TYPE } from '../../src/lib/matrix/event-types.ts';
import { CARE_ROOM_VERSION, createCareRoom } from '../../src/lib/matrix/care-room.ts';
import {
	createTestUser,
	registerTestUser,
	stopTestUser,
	waitFor,
	waitForMessage,
	type TestUser
} from '../support/matrix-users.ts';

interface AdminEvent {
	type: string;
	sender: string;
	state_key?: string;
	content: Record<string, unknown>;
}

async function adminGet<T>(path: string, accessToken: string): Promise<T> {
	const response = await fetch(`${inject('synapse').baseUrl}${path}`, {
		headers: { Authorization: `Bearer ${accessToken}` }
	});
	expect(response.status, `GET ${path}`).toBe(200);
	return (await response.json()) as T;
}

describe('care room', () => {
	let therapist: TestUser;
	let client: TestUser;
	let adminToken: string;
	let roomId: string;
	const therapistText = `Therapist phrase ${randomBytes(6).toString('hex')}`;
	const clientText = `Client phrase ${randomBytes(6).toString('hex')}`;

	beforeAll(async () => {
		therapist = await createTestUser('therapist');
		client = await createTestUser('client');
		adminToken = (await registerTestUser('admin', { admin: true })).accessToken;

		roomId = await createCareRoom(therapist.matrixClient, client.userId);
		await waitFor(client.matrixClient, 'the invitation', () =>
			client.matrixClient.getRoom(roomId)?.getMyMembership() === KnownMembership.Invite
				? true
				: undefined
		);
		await client.matrixClient.joinRoom(roomId);
		await waitFor(therapist.matrixClient, 'the client to join', () =>
			therapist.matrixClient.getRoom(roomId)?.getMember(client.userId)?.membership ===
			KnownMembership.Join
				? true
				: undefined
		);

		await therapist.matrixClient.sendTextMessage(roomId, therapistText);
		await client.matrixClient.sendTextMessage(roomId, clientText);
	});

	afterAll(() => {
		stopTestUser(therapist);
		stopTestUser(client);
	});

	it('delivers each message decrypted to the other side', async () => {
		const atClient = await waitForMessage(client.matrixClient, roomId, therapistText);
		const atTherapist = await waitForMessage(therapist.matrixClient, roomId, clientText);

		expect(atClient.isEncrypted()).toBe(true);
		expect(atClient.getSender()).toBe(therapist.userId);
		expect(atClient.getContent().body).toBe(therapistText);
		expect(atTherapist.isEncrypted()).toBe(true);
		expect(atTherapist.getContent().body).toBe(clientText);
	});

	it('stores only ciphertext on the server', async () => {
		const { chunk } = await adminGet<{ chunk: AdminEvent[] }>(
			`/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`,
			adminToken
		);
		const timelineEvents = chunk.filter((event) => event.state_key === undefined);
		const serialized = JSON.stringify(chunk);

		expect(timelineEvents.length).toBeGreaterThanOrEqual(2);
		for (const event of timelineEvents) expect(event.type).toBe('m.room.encrypted');
		expect(serialized).not.toContain(therapistText);
		expect(serialized).not.toContain(clientText);
	});

	it('has the care room state', async () => {
		const { state } = await adminGet<{ state: AdminEvent[] }>(
			`/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}/state`,
			adminToken
		);
		const content = (type: string): Record<string, unknown> | undefined =>
			state.find((event) => event.type === type && event.state_key === '')?.content;

		expect(content('m.room.create')).toMatchObject({
			type: CARE_ROOM_TYPE,
			room_version: CARE_ROOM_VERSION
		});
		expect(content('m.room.encryption')).toEqual({ algorithm: 'm.megolm.v1.aes-sha2' });
		expect(content('m.room.join_rules')).toEqual({ join_rule: 'invite' });
		expect(content('m.room.guest_access')).toEqual({ guest_access: 'forbidden' });
		expect(content('m.room.history_visibility')).toEqual({ history_visibility: 'invited' });
		expect(content('m.room.name')).toBeUndefined();
		expect(content('m.room.topic')).toBeUndefined();
		expect(content('m.room.avatar')).toBeUndefined();
	});

	it('gives the therapist full power and the client none over state', async () => {
		const room = therapist.matrixClient.getRoom(roomId);
		const powerLevels = room?.currentState.getStateEvents('m.room.power_levels', '')?.getContent();

		// In room version 12 the creator outranks every power level and is not listed.
		expect(room?.currentState.getStateEvents('m.room.create', '')?.getSender()).toBe(
			therapist.userId
		);
		expect(powerLevels?.users).toEqual({ [client.userId]: 0 });
		expect(powerLevels?.events_default).toBe(0);
		expect(powerLevels?.state_default).toBe(100);
		expect(powerLevels?.invite).toBe(100);
		expect(powerLevels?.kick).toBe(100);
		expect(powerLevels?.redact).toBe(100);
		expect(powerLevels?.events['m.room.name']).toBe(100);
		expect(powerLevels?.events['m.room.encryption']).toBe(100);
		expect(powerLevels?.events['m.room.power_levels']).toBe(100);
	});

	it('rejects state changes by the client', async () => {
		const attempt = client.matrixClient.sendStateEvent(
			roomId,
			EventType.RoomTopic,
			{ topic: 'x' },
			''
		);

		await expect(attempt).rejects.toBeInstanceOf(MatrixError);
		await expect(attempt).rejects.toMatchObject({ httpStatus: 403, errcode: 'M_FORBIDDEN' });
	});

	it('rejects an invalid client ID before creating a room', async () => {
		const roomsBefore = therapist.matrixClient.getRooms().length;

		await expect(createCareRoom(therapist.matrixClient, 'not-an-id')).rejects.toMatchObject({
			code: 'invalid_user_id'
		});
		expect(therapist.matrixClient.getRooms().length).toBe(roomsBefore);
	});

	it('keeps an invitation for an account that has not signed in', async () => {
		const newcomer = `@newcomer-${randomBytes(4).toString('hex')}:${inject('synapse').serverName}`;

		const pendingRoomId = await createCareRoom(therapist.matrixClient, newcomer);
		const membership = await therapist.matrixClient.getStateEvent(
			pendingRoomId,
			'm.room.member',
			newcomer
		);

		expect(membership.membership).toBe('invite');
	});
});
