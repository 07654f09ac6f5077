import {
	expect,
	indexedDbNames,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage,
	type BrowserUser
} from './support/fixtures.ts';
import { typedPhrase } from './support/typed-phrases.ts';

function messageIn(user: BrowserUser, text: string) {
	return timelineMessage(user.page, text);
}

test('therapist and client talk in an encrypted care room', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const fromClient = typedPhrase('Hello from the client');
	const fromTherapist = typedPhrase('Reply from the therapist');

	// The therapist starts the care room and invites the client.
	await startCareRoom(therapist.page, client.userId);
	const roomUrl = therapist.page.url();

	// The client sees the invitation, accepts it and writes.
	const invitation = client.page.getByTestId('room-list-item').filter({ hasText: 'Invitation' });
	await expect(invitation).toBeVisible();
	await invitation.click();
	await client.page.getByRole('button', { name: 'Accept' }).click();
	await client.page.getByLabel('Message').fill(fromClient);
	await client.page.getByLabel('Message').press('Enter');
	await expect(messageIn(client, fromClient)).toBeVisible();
	await expect(client.page.getByTestId('send-status').last()).toHaveText(/Sent|Seen/);

	// The therapist reads it decrypted and answers.
	await expect(messageIn(therapist, fromClient)).toBeVisible();
	await therapist.page.getByLabel('Message').fill(fromTherapist);
	await therapist.page.getByRole('button', { name: 'Send' }).click();
	await expect(messageIn(client, fromTherapist)).toBeVisible();

	// Markdown arrives as sanitised HTML, and the plain text stays the body.
	await therapist.page.getByLabel('Message').fill('Try **one** step at a time');
	await therapist.page.getByLabel('Message').press('Enter');
	const formatted = client.page.getByTestId('message-body').filter({ hasText: 'step at a time' });
	await expect(formatted.locator('strong')).toHaveText('one');

	// A reload keeps both sessions and both messages readable.
	await therapist.page.reload();
	await client.page.reload();
	await expect(therapist.page.getByTestId('signed-in-user')).toHaveText(therapist.userId);
	await expect(client.page.getByTestId('signed-in-user')).toHaveText(client.userId);
	await therapist.page.goto(roomUrl);
	await expect(messageIn(therapist, fromClient)).toBeVisible();
	await expect(messageIn(therapist, fromTherapist)).toBeVisible();
	await expect(therapist.page.getByTestId('undecryptable')).toHaveCount(0);

	// Sign-out deletes everything this device kept.
	expect((await indexedDbNames(client.page)).length).toBeGreaterThan(0);
	await client.page.getByRole('button', { name: 'Sign out' }).click();
	await expect(client.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	expect(await indexedDbNames(client.page)).toEqual([]);
	expect(await client.page.evaluate(() => localStorage.length)).toBe(0);

	expect(therapist.cspViolations).toEqual([]);
	expect(client.cspViolations).toEqual([]);
	await therapist.context.close();
	await client.context.close();
});
