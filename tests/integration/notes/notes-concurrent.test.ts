import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCareRoom } from '../../../src/lib/matrix/care-room.ts';
import type { NotesService } from '../../../src/lib/notes/notes-service.ts';
import { registerTestUser } from '../../support/matrix-users.ts';
import {
	createTherapist,
	noteFieldsWith,
	openNotes,
	signInTherapistDevice,
	stopDevice,
	type TherapistAccount,
	type TherapistDevice
} from '../../support/notes-helpers.ts';

// Notes written at the same time (two devices, or several saves in flight)
// are concurrent state events. Every one of them must reach a device that
// signs in afterwards, because a missing note looks like a lost record.
describe('notes written concurrently', () => {
	let account: TherapistAccount;
	let notes: NotesService;
	const devices: TherapistDevice[] = [];

	beforeAll(async () => {
		account = await createTherapist();
		devices.push(account.firstDevice);
		notes = await openNotes(account.firstDevice);
	});

	afterAll(() => {
		notes.close();
		for (const device of devices) stopDevice(device);
	});

	it('all reach a new device', async () => {
		const clientUserId = (await registerTestUser('client')).userId;
		const careRoomId = await createCareRoom(account.firstDevice.matrixClient, clientUserId);
		const noteIds: string[] = [];
		for (let batch = 0; batch < 4; batch++) {
			const created = await Promise.all(
				Array.from({ length: 8 }, (_, index) =>
					notes.createNote(
						noteFieldsWith(
							{ title: `Note ${batch}-${index}`, subjective: 'a', assessment: 'b', plan: 'c' },
							{ clientUserId, careRoomId }
						)
					)
				)
			);
			noteIds.push(...created.map((version) => version.noteId));
		}

		const newDevice = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		devices.push(newDevice);
		const newNotes = await openNotes(newDevice);
		try {
			const listed = (await newNotes.listNotes()).map((version) => version.noteId);
			expect(listed.toSorted()).toEqual(noteIds.toSorted());
		} finally {
			newNotes.close();
		}
	});
});
