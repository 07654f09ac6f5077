import { expect, signedInUser, startCareRoom, test } from './support/fixtures.ts';
import { typedPhrase } from './support/typed-phrases.ts';

test('failed send stays visible and can be retried', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	await startCareRoom(therapist.page, client.userId);
	const text = typedPhrase('Kept after failure');

	// The homeserver rejects every send until the route is removed.
	await therapist.page.route('**/_matrix/client/v3/rooms/*/send/**', (route) =>
		route.fulfill({
			status: 400,
			contentType: 'application/json',
			body: JSON.stringify({ errcode: 'M_UNKNOWN', error: 'Injected failure' })
		})
	);
	await therapist.page.getByLabel('Message').fill(text);
	await therapist.page.getByLabel('Message').press('Enter');

	const event = therapist.page.getByTestId('timeline-event').filter({ hasText: text });
	await expect(event).toHaveAttribute('data-status', 'failed');
	await expect(event.getByText('Not sent.')).toBeVisible();

	await therapist.page.unrouteAll();
	await event.getByRole('button', { name: 'Retry' }).click();
	await expect(event).toHaveAttribute('data-status', 'sent');
	await expect(client.page.getByTestId('room-list-item')).toContainText('Invitation');

	await therapist.context.close();
	await client.context.close();
});

test('oversized message keeps its text in the composer', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	await startCareRoom(therapist.page, client.userId);
	const text = 'x'.repeat(50_000);

	await therapist.page.getByLabel('Message').fill(text);
	await therapist.page.getByRole('button', { name: 'Send' }).click();

	await expect(therapist.page.getByRole('alert')).toContainText('too long to send');
	await expect(therapist.page.getByLabel('Message')).toHaveValue(text);
	await expect(therapist.page.getByTestId('timeline-event')).toHaveCount(0);

	await therapist.context.close();
	await client.context.close();
});

test('draft survives a reload', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await startCareRoom(therapist.page, client.userId);
	const draft = typedPhrase('Unfinished thought');

	await therapist.page.getByLabel('Message').fill(draft);
	// Drafts are saved shortly after typing pauses.
	await therapist.page.waitForTimeout(1_000);
	await therapist.page.reload();
	await therapist.page.goto(`/rooms/${encodeURIComponent(roomId)}`);

	await expect(therapist.page.getByLabel('Message')).toHaveValue(draft);
	await therapist.context.close();
	await client.context.close();
});
