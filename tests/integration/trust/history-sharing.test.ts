import { ClientEvent, EventType, MatrixError, type ReceivedToDeviceMessage } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	inviteToCareRoom,
	receiveSharedRoomHistory,
	shareRoomHistory,
	watchSharedRoomHistory
} from '../../../src/lib/matrix/crypto/history-sharing.ts';
import {
	ROOM_HISTORY_MESSAGE_TYPE,
	type SharedRoomHistory
} from '../../../src/lib/matrix/crypto/history-transcript.ts';
import {
	acceptInvitation,
	conversationEvents,
	countDecryptionFailures,
	createTrustUser,
	loadWholeTimeline,
	openCareRoom,
	sendTexts,
	stopDevices,
	uniqueText,
	waitForTexts,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

/** Resolves with the next room history transcript that `device` accepts within 30 s. */
function nextSharedHistory(device: TrustDevice): Promise<SharedRoomHistory> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			stop();
			reject(new Error(`${device.userId} accepted no room history within 30 s`));
		}, 30_000);
		const stop = watchSharedRoomHistory(device.matrixClient, (history) => {
			clearTimeout(timer);
			stop();
			resolve(history);
		});
	});
}

/** Resolves with the next room history message that reaches `device`, accepted or not. */
function nextHistoryMessage(device: TrustDevice): Promise<ReceivedToDeviceMessage> {
	return new Promise((resolve) => {
		const listener = (received: ReceivedToDeviceMessage): void => {
			if (received.message.type !== ROOM_HISTORY_MESSAGE_TYPE) return;
			device.matrixClient.off(ClientEvent.ReceivedToDeviceMessage, listener);
			resolve(received);
		};
		device.matrixClient.on(ClientEvent.ReceivedToDeviceMessage, listener);
	});
}

/** Tries to send a state event that only members with state power may send. */
function pinNothing(device: TrustDevice, roomId: string): Promise<unknown> {
	return device.matrixClient.sendStateEvent(roomId, EventType.RoomPinnedEvents, { pinned: [] }, '');
}

describe('colleagues invited to a care room after earlier messages', () => {
	let therapist: TrustUser;
	let client: TrustUser;
	let supervisor: TrustUser;
	let coTherapist: TrustUser;
	let roomId: string;
	/** Every message in the room, in order, with who wrote it. */
	const written: { sender: string; text: string }[] = [];
	/** Index in `written` of the first message after the supervisor's invitation. */
	let supervisorFrom = 0;

	async function write(device: TrustDevice, text: string): Promise<void> {
		await sendTexts(device, roomId, [text]);
		written.push({ sender: device.userId, text });
	}

	beforeAll(async () => {
		[therapist, client, supervisor, coTherapist] = await Promise.all([
			createTrustUser('therapist'),
			createTrustUser('client'),
			createTrustUser('supervisor'),
			createTrustUser('cotherapist')
		]);
		roomId = await openCareRoom(therapist, client);
		await write(therapist, uniqueText('Therapist, first session note'));
		await waitForTexts(client, roomId, [written[0]?.text ?? '']);
		await write(client, uniqueText('Client, something hard to say'));
		await write(therapist, uniqueText('Therapist, a reply'));
		await waitForTexts(
			client,
			roomId,
			written.map(({ text }) => text)
		);
	});

	afterAll(() => stopDevices(therapist, client, supervisor, coTherapist));

	it('hides earlier messages from a member invited without history', async () => {
		const before = written.length;
		supervisorFrom = before;

		const invitation = await inviteToCareRoom(therapist.matrixClient, roomId, supervisor.userId, {
			shareHistory: false
		});
		await acceptInvitation(supervisor, therapist, roomId);
		await write(therapist, uniqueText('Therapist, after the supervisor joined'));
		await write(client, uniqueText('Client, after the supervisor joined'));
		await write(supervisor, uniqueText('Supervisor, a first remark'));
		const later = written.slice(before).map(({ text }) => text);
		const bodies = await waitForTexts(supervisor, roomId, later);
		await loadWholeTimeline(supervisor.matrixClient, roomId);

		expect(invitation).toEqual({ powerLevel: 0, history: null });
		expect(bodies).toEqual(later);
		// The server does not even send the earlier events.
		expect(conversationEvents(supervisor.matrixClient, roomId)).toHaveLength(later.length);
		expect(countDecryptionFailures(supervisor.matrixClient, roomId)).toBe(0);
		expect(await waitForTexts(client, roomId, later)).toEqual(written.map(({ text }) => text));
	});

	it('lets a member without state power write but not change state', async () => {
		const attempt = pinNothing(supervisor, roomId);

		await expect(attempt).rejects.toBeInstanceOf(MatrixError);
		await expect(attempt).rejects.toMatchObject({ httpStatus: 403, errcode: 'M_FORBIDDEN' });
	});

	it('gives a member invited with history every earlier message', async () => {
		const before = written.slice();
		const received = nextSharedHistory(coTherapist);

		const invitation = await inviteToCareRoom(therapist.matrixClient, roomId, coTherapist.userId, {
			shareHistory: true,
			allowStateChanges: true
		});
		// The transcript is accepted once the co-therapist has joined.
		await acceptInvitation(coTherapist, therapist, roomId);
		const history = await received;
		await write(therapist, uniqueText('Therapist, with the co-therapist'));
		const later = written.slice(before.length).map(({ text }) => text);
		const bodies = await waitForTexts(coTherapist, roomId, later);

		expect(invitation).toEqual({
			powerLevel: 100,
			history: { sharedEventCount: before.length, undecryptableEventCount: 0, deviceCount: 1 }
		});
		expect(history.roomId).toBe(roomId);
		expect(history.sharedBy).toBe(therapist.userId);
		expect(history.sharedByDeviceId).toBe(therapist.deviceId);
		expect(history.events.map((event) => event.content.body)).toEqual(
			before.map(({ text }) => text)
		);
		expect(history.events.map((event) => event.sender)).toEqual(before.map(({ sender }) => sender));
		expect(bodies).toEqual(later);
		expect(countDecryptionFailures(coTherapist.matrixClient, roomId)).toBe(0);
		expect(await waitForTexts(supervisor, roomId, later)).toEqual(
			written.slice(supervisorFrom).map(({ text }) => text)
		);
	});

	it('gives state power only when the therapist chose it', async () => {
		await expect(pinNothing(coTherapist, roomId)).resolves.toMatchObject({
			event_id: expect.any(String)
		});
	});

	it('rejects a transcript from a member who may not invite', async () => {
		const arrived = nextHistoryMessage(supervisor);

		// The client is joined and cross-signed, but has no power to invite.
		const sent = await shareRoomHistory(client.matrixClient, roomId, supervisor.userId);
		const accepted = await receiveSharedRoomHistory(supervisor.matrixClient, await arrived);

		expect(sent.deviceCount).toBe(1);
		expect(accepted).toBeNull();
	});

	it('keeps the room history visibility at invited', () => {
		const visibility = therapist.matrixClient.getRoom(roomId)?.getHistoryVisibility();

		expect(visibility).toBe('invited');
	});
});
