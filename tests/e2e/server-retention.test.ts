import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { e2eEnvironment } from './support/environment.ts';
import {
	acceptInvitation,
	expect,
	sendMessage,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage
} from './support/fixtures.ts';
import { recordedPhrases } from './support/typed-phrases.ts';

/** Every file under a folder: database, write-ahead log, media store, logs. */
function filesUnder(folder: string): string[] {
	return readdirSync(folder).flatMap((name) => {
		const file = path.join(folder, name);
		return statSync(file).isDirectory() ? filesUnder(file) : [file];
	});
}

test('server keeps no plaintext of messages or drafts', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const tag = randomBytes(6).toString('hex');
	const typed = {
		clientMessage: `Slept badly again ${tag}`,
		therapistMessage: `Let us look at that together ${tag}`,
		draft: `Half-written worry ${tag}`
	};

	await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);

	await sendMessage(client.page, typed.clientMessage);
	await expect(timelineMessage(therapist.page, typed.clientMessage)).toBeVisible();
	await sendMessage(therapist.page, typed.therapistMessage);
	await expect(timelineMessage(client.page, typed.therapistMessage)).toBeVisible();
	await client.page.getByLabel('Message').fill(typed.draft);
	// Let the draft save and the sync loop settle before the files are read.
	await client.page.waitForTimeout(2_000);

	const files = filesUnder(e2eEnvironment().synapseDataDir);
	expect(files.some((file) => file.endsWith('homeserver.db'))).toBe(true);
	expect(files.some((file) => file.endsWith('homeserver.log'))).toBe(true);
	for (const file of files) {
		const contents = readFileSync(file);
		for (const [what, text] of Object.entries(typed)) {
			expect(contents.includes(text), `${what} found in ${path.basename(file)}`).toBe(false);
		}
		// The tag alone would also show a partly leaked string.
		expect(contents.includes(tag), `tag found in ${path.basename(file)}`).toBe(false);
		// Messages, drafts and notes that the composer, messaging and notes tests
		// typed: Playwright runs the files one at a time in the order of their names,
		// so those ran before this one (when the whole folder runs).
		for (const phrase of recordedPhrases()) {
			expect(contents.includes(phrase), `"${phrase}" found in ${path.basename(file)}`).toBe(false);
		}
	}

	await therapist.context.close();
	await client.context.close();
});
