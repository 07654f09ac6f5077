import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { NOTE_EVENT_TYPE } from '../../src/lib/notes/event-types.ts';
import { findNotesRoom } from '../../src/lib/notes/notes-room.ts';
import {
	acceptInvitation,
	expect,
	indexedDbNames,
	registerAccount,
	sendMessage,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage
} from './support/fixtures.ts';
import { signInSecondDevice } from './support/second-device.ts';
import { typedPhrase } from './support/typed-phrases.ts';

/** Opens the notes panel of the care room shown on the page and waits until the notes are open. */
async function openNotes(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Notes', exact: true }).click();
	const panel = page.getByTestId('notes-panel');
	await expect(panel).toBeVisible();
	await expect(panel.getByRole('button', { name: 'New note', exact: true })).toBeVisible();
	await expect(panel.getByTestId('notes-unavailable')).toHaveCount(0);
}

/**
 * Opens the notes panel for the first time on a device whose page was loaded
 * after the encryption set-up: secret storage is locked, so the panel reports
 * that the notes key is missing and takes the recovery key.
 */
async function openNotesFirstTime(page: Page, recoveryKey: string): Promise<void> {
	await page.getByRole('button', { name: 'Notes', exact: true }).click();
	const unavailable = page.getByTestId('notes-panel').getByTestId('notes-unavailable');
	await expect(unavailable).toContainText('Your notes key is not available on this device.');
	await unavailable.getByLabel('Recovery key or passphrase').fill(recoveryKey);
	await unavailable.getByRole('button', { name: 'Unlock notes' }).click();
	await expect(
		page.getByTestId('notes-panel').getByRole('button', { name: 'New note', exact: true })
	).toBeVisible({ timeout: 60_000 });
}

/**
 * Returns every value in every IndexedDB database of the page's origin as
 * text, as someone who copied the browser profile would read it.
 */
function dumpIndexedDb(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const texts: string[] = [];
		const decoder = new TextDecoder();
		const replacer = (_key: string, value: unknown): unknown => {
			if (value instanceof ArrayBuffer) return decoder.decode(value);
			if (ArrayBuffer.isView(value)) return decoder.decode(value);
			return value;
		};
		for (const { name } of await indexedDB.databases()) {
			if (!name) continue;
			const database = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(name);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error ?? new Error(`Cannot open ${name}`));
			});
			for (const storeName of database.objectStoreNames) {
				const values = await new Promise<unknown[]>((resolve, reject) => {
					const request = database.transaction(storeName).objectStore(storeName).getAll();
					request.onsuccess = () => resolve(request.result);
					request.onerror = () => reject(request.error ?? new Error(`Cannot read ${storeName}`));
				});
				texts.push(JSON.stringify(values, replacer));
			}
			database.close();
		}
		return texts.join('\n');
	});
}

test('SOAP note is signed, reloaded and found by search', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const marker = typedPhrase('Zephyrine', '');
	const clientWords = typedPhrase('I could not sleep before the exam');

	await startCareRoom(therapist.page, client.userId);
	const roomUrl = therapist.page.url();
	await expect(client.page.getByTestId('room-list-item')).toContainText('Invitation');
	await acceptInvitation(client.page);
	await sendMessage(client.page, clientWords);
	await expect(timelineMessage(therapist.page, clientWords)).toBeVisible();

	// The therapist writes a SOAP note beside the conversation, quoting the client.
	await openNotesFirstTime(therapist.page, therapist.recoveryKey);
	const panel = therapist.page.getByTestId('notes-panel');
	await panel.getByRole('button', { name: 'New note', exact: true }).click();
	await expect(panel.getByLabel('Template')).toHaveValue('soap');
	await panel.getByLabel('Title').fill(`Session about ${marker}`);
	await panel.getByLabel('Subjective', { exact: true }).fill('Client reports: ');
	await panel.getByLabel('Quote from the conversation').selectOption({ index: 1 });
	await panel.getByRole('button', { name: 'Insert quote' }).click();
	await expect(panel.getByLabel('Subjective', { exact: true })).toHaveValue(
		new RegExp(`> ${clientWords}`)
	);
	await panel.getByLabel('Objective', { exact: true }).fill(`Calm, mentions ${marker} twice.`);
	await panel.getByLabel('Assessment', { exact: true }).fill('Exam stress, sleep onset delayed.');
	await panel.getByLabel('Plan', { exact: true }).fill('Sleep diary until the next session.');
	await panel.getByRole('button', { name: 'Save and sign' }).click();

	const detail = panel.getByTestId('note-detail');
	await expect(detail).toContainText(`Session about ${marker}`);
	await expect(detail).toContainText(/Signed .*, locked/);
	await expect(detail.getByRole('button', { name: 'Edit' })).toHaveCount(0);

	// After a reload the note is found by a search word typed in lower case.
	await therapist.page.reload();
	await therapist.page.goto(roomUrl);
	await openNotes(therapist.page);
	await panel.getByLabel('Search notes').fill(marker.slice(0, 8).toLowerCase());
	const hit = panel.getByTestId('note-list-item');
	await expect(hit).toHaveCount(1);
	await expect(hit).toContainText(`Session about ${marker}`);
	await expect(hit).toContainText('Signed');
	await panel.getByLabel('Search notes').fill('nosuchwordinanynote');
	await expect(hit).toHaveCount(0);
	await panel.getByRole('radio', { name: 'All clients' }).check();
	await panel.getByLabel('Search notes').fill(`${marker} calm`);
	await expect(hit).toHaveCount(1);
	await hit.click();
	await expect(detail).toContainText(`Calm, mentions ${marker} twice.`);
	await expect(detail).toContainText(clientWords);

	// A signed note changes only by addenda, and the history shows every version.
	await detail.getByLabel('Reason').fill('Late entry');
	await detail.getByLabel('Addendum', { exact: true }).fill('Client phoned to confirm the diary.');
	await detail.getByRole('button', { name: 'Add addendum' }).click();
	await expect(detail.getByTestId('note-addendum')).toContainText('Late entry');
	await detail.getByRole('button', { name: 'Show history' }).click();
	await expect(detail.getByTestId('history-version')).toHaveCount(3);

	// The notes room never appears as a conversation.
	await expect(therapist.page.getByTestId('room-list-item')).toHaveCount(1);

	// The client's view of the same care room has no trace of notes.
	await expect(timelineMessage(client.page, clientWords)).toBeVisible();
	await expect(client.page.getByRole('button', { name: 'Notes', exact: true })).toHaveCount(0);
	await expect(client.page.getByTestId('notes-panel')).toHaveCount(0);
	await expect(client.page.getByText(marker)).toHaveCount(0);
	await expect(client.page.getByTestId('room-list-item')).toHaveCount(1);

	expect(therapist.cspViolations).toEqual([]);
	expect(client.cspViolations).toEqual([]);
	await therapist.context.close();
	await client.context.close();
});

test('note draft survives a reload, encrypted at rest', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await registerAccount('client');
	const phrase = typedPhrase('Unsaved plan');

	await startCareRoom(therapist.page, client.userId);
	const roomUrl = therapist.page.url();
	await openNotesFirstTime(therapist.page, therapist.recoveryKey);
	const panel = therapist.page.getByTestId('notes-panel');
	await panel.getByRole('button', { name: 'New note', exact: true }).click();
	await panel.getByLabel('Plan', { exact: true }).fill(phrase);
	await expect(panel.getByTestId('draft-status')).toContainText('Draft saved on this device');

	expect(await dumpIndexedDb(therapist.page)).not.toContain(phrase);

	await therapist.page.reload();
	await therapist.page.goto(roomUrl);
	await openNotes(therapist.page);
	await panel.getByTestId('note-draft').click();
	await expect(panel.getByLabel('Plan', { exact: true })).toHaveValue(phrase);

	// Signing out with the notes open still deletes every database, drafts included.
	await therapist.page.getByRole('button', { name: 'Sign out' }).click();
	await expect(therapist.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	expect(await indexedDbNames(therapist.page)).toEqual([]);

	await therapist.context.close();
});

test('tampered note is shown as damaged', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await registerAccount('client');
	await startCareRoom(therapist.page, client.userId);
	await openNotesFirstTime(therapist.page, therapist.recoveryKey);

	// Another device of the therapist writes an event whose ciphertext no key opens.
	const secondDevice = await signInSecondDevice(therapist.userId, therapist.password);
	try {
		const notesRoom = findNotesRoom(secondDevice);
		expect(notesRoom).toBeDefined();
		await secondDevice.sendStateEvent(
			notesRoom!.roomId,
			NOTE_EVENT_TYPE as never,
			{
				v: 1,
				alg: 'A256GCM',
				key_id: 'AAAAAAAAAAAAAAAA',
				iv: 'AAAAAAAAAAAAAAAA',
				ciphertext: Buffer.from(`forged note ${'x'.repeat(40)}`).toString('base64')
			} as never,
			randomBytes(16).toString('base64url')
		);
	} finally {
		secondDevice.stopClient();
	}

	const damaged = therapist.page.getByTestId('notes-panel').getByTestId('note-damaged');
	await expect(damaged).toHaveCount(1);
	await expect(damaged).toContainText('notes key this device does not have');
	await expect(damaged).not.toContainText('forged note');

	await therapist.context.close();
});

test('treatment plan is filtered, exported and deleted', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await registerAccount('client');
	const marker = randomBytes(4).toString('hex');

	await startCareRoom(therapist.page, client.userId);
	await openNotesFirstTime(therapist.page, therapist.recoveryKey);
	const panel = therapist.page.getByTestId('notes-panel');
	const newNote = panel.getByRole('button', { name: 'New note', exact: true });

	// A treatment plan with one goal, signed into the record.
	await newNote.click();
	await panel.getByLabel('Kind').selectOption('treatment_plan');
	await panel.getByLabel('Template').selectOption('free');
	await panel.getByLabel('Title').fill(`Plan ${marker}`);
	await panel.getByLabel('Text', { exact: true }).fill('Plan agreed with the client.');
	await panel.getByRole('button', { name: 'Add goal' }).click();
	await panel.getByLabel('Goal 1', { exact: true }).fill('Sleep seven hours on weeknights');
	await panel.getByLabel('Status').selectOption('in_progress');
	await panel.getByLabel('Target date').fill('2027-03-01');
	await panel.getByRole('button', { name: 'Add intervention' }).click();
	await panel.getByLabel('Goal 1, intervention 1').fill('Sleep diary');
	await panel.getByRole('button', { name: 'Add review date' }).click();
	await panel.getByLabel('Goal 1, review date 1').fill('2027-01-15');
	await panel.getByRole('button', { name: 'Save', exact: true }).click();
	const detail = panel.getByTestId('note-detail');
	await expect(detail).toContainText('Not signed');

	// An unsigned note is edited in place, then signed.
	await detail.getByRole('button', { name: 'Edit' }).click();
	await expect(panel.getByLabel('Goal 1, intervention 1')).toHaveValue('Sleep diary');
	await panel.getByLabel('Text', { exact: true }).fill('Plan agreed with the client, reviewed.');
	await panel.getByRole('button', { name: 'Save and sign' }).click();
	await expect(detail).toContainText('Plan agreed with the client, reviewed.');
	await expect(detail).toContainText(/Signed .*, locked/);
	await expect(detail).toContainText('Sleep seven hours on weeknights');
	await expect(detail).toContainText('In progress, target 2027-03-01');
	await expect(detail).toContainText('Reviews: 2027-01-15');
	await detail.getByRole('button', { name: 'Back to the list' }).click();

	// A private process note, signed too.
	await newNote.click();
	await panel.getByRole('radio', { name: /Psychotherapy note/ }).check();
	await panel.getByLabel('Title').fill(`Private ${marker}`);
	await panel.getByLabel('Subjective', { exact: true }).fill('Countertransference noticed.');
	await panel.getByRole('button', { name: 'Save and sign' }).click();
	await expect(detail).toContainText(`Private ${marker}`);
	await detail.getByRole('button', { name: 'Back to the list' }).click();

	// The kind filter keeps the plan only.
	const items = panel.getByTestId('note-list-item');
	await expect(items).toHaveCount(2);
	await panel.getByLabel('Kind').selectOption('treatment_plan');
	await expect(items).toHaveCount(1);
	await expect(items).toContainText(`Plan ${marker}`);
	await panel.getByLabel('Kind').selectOption('all');

	// The export contains record items only, unless psychotherapy notes are ticked.
	await panel.getByRole('button', { name: 'Export' }).click();
	const exportSection = panel.getByTestId('notes-export');
	await expect(exportSection.getByTestId('export-count')).toHaveText('1 note will be exported.');
	const downloading = therapist.page.waitForEvent('download');
	await exportSection.getByRole('button', { name: 'Download JSON' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).not.toContain(client.username);
	const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as {
		format: string;
		notes: { title: string; goals: { interventions: string[] }[] }[];
	};
	expect(exported.format).toBe('app.alcove.record_export');
	expect(exported.notes.map((note) => note.title)).toEqual([`Plan ${marker}`]);
	expect(exported.notes[0]?.goals[0]?.interventions).toEqual(['Sleep diary']);
	await exportSection.getByLabel(/Include psychotherapy notes/).check();
	await expect(exportSection.getByTestId('export-count')).toHaveText('2 notes will be exported.');

	// The deletion report lists what stays on the server.
	await items.filter({ hasText: `Private ${marker}` }).click();
	await detail.getByRole('button', { name: 'Delete' }).click();
	await panel.getByRole('button', { name: 'Delete every version' }).click();
	const report = panel.getByTestId('deletion-report');
	await expect(report).toContainText('The note was deleted.');
	await expect(report).toContainText('What remains on your homeserver');
	await expect(items).toHaveCount(1);

	await therapist.context.close();
});
