import { randomBytes } from 'node:crypto';
import {
	acceptInvitation,
	expect,
	sendMessage,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage
} from './support/fixtures.ts';

test('colleague gets earlier messages only when chosen', async ({ browser }) => {
	test.setTimeout(240_000);
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const supervisor = await signedInUser(browser, 'supervisor');
	const cotherapist = await signedInUser(browser, 'cotherapist');
	const tag = randomBytes(4).toString('hex');
	const earlier = `Earlier message ${tag}`;

	await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);
	await sendMessage(client.page, earlier);
	await expect(timelineMessage(therapist.page, earlier)).toBeVisible();

	// The supervisor is added with the earlier messages shared; the box starts unticked.
	await therapist.page.getByText('Add a colleague').click();
	const share = therapist.page.getByLabel('Share the conversation so far with them');
	await expect(share).not.toBeChecked();
	await therapist.page.getByLabel("Colleague's Matrix ID").fill(supervisor.userId);
	await share.check();
	await therapist.page.getByRole('button', { name: 'Add to conversation' }).click();
	await expect(therapist.page.getByRole('status')).toContainText(
		`Invited ${supervisor.userId} and shared 1 earlier messages with their 1 verified devices`
	);

	// The co-therapist is added without them.
	await therapist.page.getByLabel("Colleague's Matrix ID").fill(cotherapist.userId);
	await expect(share).not.toBeChecked();
	await therapist.page.getByRole('button', { name: 'Add to conversation' }).click();
	await expect(therapist.page.getByRole('status')).toContainText(
		`Invited ${cotherapist.userId}. They will see messages from now on.`
	);

	await acceptInvitation(supervisor.page);
	await acceptInvitation(cotherapist.page);
	const later = `Later message ${tag}`;
	await sendMessage(therapist.page, later);

	// Both read what came after; only the supervisor has the earlier message.
	await expect(timelineMessage(supervisor.page, later)).toBeVisible();
	await expect(timelineMessage(cotherapist.page, later)).toBeVisible();
	const sharedHistory = supervisor.page.getByTestId('shared-history');
	await expect(sharedHistory).toContainText(`shared with you by ${therapist.userId}`);
	await sharedHistory.locator('summary').click();
	await expect(sharedHistory.getByTestId('shared-message')).toHaveText([earlier]);
	await expect(cotherapist.page.getByTestId('shared-history')).toHaveCount(0);
	await expect(cotherapist.page.getByText(earlier)).toHaveCount(0);

	// Everyone in the room sees that the colleagues joined.
	await expect(
		client.page.getByTestId('membership-event').filter({ hasText: supervisor.userId })
	).toContainText(['was invited', 'joined the conversation']);

	for (const user of [therapist, client, supervisor, cotherapist]) await user.context.close();
});
