import { MsgType, type MatrixClient } from 'matrix-js-sdk';
import { hostileHtmlCorpus } from '../unit/content/hostile-html-corpus.ts';
import { ALLOWED_HTML_TAGS } from '../../src/lib/content/html-sanitiser.ts';
import { e2eEnvironment } from './support/environment.ts';
import {
	acceptInvitation,
	expect,
	signedInUser,
	startCareRoom,
	test,
	type BrowserUser
} from './support/fixtures.ts';
import { signInSecondDevice } from './support/second-device.ts';

/** Records script that runs and requests that leave for origins other than ours. */
async function guardPage(user: BrowserUser): Promise<{ foreignRequests: string[] }> {
	const { webUrl, homeserverUrl } = e2eEnvironment();
	const allowed = [new URL(webUrl).origin, new URL(homeserverUrl).origin];
	const foreignRequests: string[] = [];
	user.page.on('request', (request) => {
		const url = request.url();
		if (
			!url.startsWith('data:') &&
			!url.startsWith('blob:') &&
			!allowed.includes(new URL(url).origin)
		) {
			foreignRequests.push(url);
		}
	});
	user.page.on('dialog', (dialog) => {
		foreignRequests.push(`dialog: ${dialog.message()}`);
		void dialog.dismiss();
	});
	await user.page.addInitScript(() => {
		// Every payload that runs script calls one of these.
		for (const name of ['alert', 'prompt', 'confirm', 'print'] as const) {
			Object.defineProperty(window, name, {
				value: () => Object.assign(window, { scriptRan: true })
			});
		}
	});
	await user.page.reload();
	return { foreignRequests };
}

async function setUpRoom(browser: Parameters<typeof signedInUser>[0]) {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);
	const sender: MatrixClient = await signInSecondDevice(client.userId, client.password);
	return { therapist, client, roomId, sender };
}

test('hostile HTML renders safely in Chromium', async ({ browser }) => {
	test.setTimeout(300_000);
	const { therapist, client, roomId, sender } = await setUpRoom(browser);
	const guard = await guardPage(therapist);
	// A payload too large for one event cannot reach a client through Synapse;
	// the unit tests cover those against the sanitiser directly.
	const corpus = hostileHtmlCorpus.filter(({ html }) => html.length < 30_000);
	expect(corpus.length).toBeGreaterThanOrEqual(60);

	try {
		for (const [index, payload] of corpus.entries()) {
			await sender.sendMessage(roomId, {
				msgtype: MsgType.Text,
				body: `plain fallback ${index}`,
				format: 'org.matrix.custom.html',
				formatted_body: payload.html
			});
		}
		await sender.sendMessage(roomId, { msgtype: MsgType.Text, body: 'corpus done' });

		await therapist.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
		const timeline = therapist.page.getByTestId('timeline');
		await expect(async () => {
			await timeline.evaluate((element) => element.scrollTo(0, 0));
			await expect(timeline.getByText('corpus done', { exact: true })).toBeVisible({
				timeout: 1_000
			});
			await expect(therapist.page.getByTestId('message-body')).toHaveCount(corpus.length + 1, {
				timeout: 1_000
			});
		}).toPass({ timeout: 120_000 });

		const rendered = await therapist.page.evaluate((allowedTags) => {
			const allowed = new Set(allowedTags.map((tag) => tag.toUpperCase()));
			const bodies = [...document.querySelectorAll('[data-testid="message-body"]')];
			return bodies.map((body) => {
				const problems: string[] = [];
				for (const element of body.querySelectorAll('*')) {
					if (!allowed.has(element.tagName)) problems.push(`tag ${element.tagName}`);
					for (const attribute of element.attributes) {
						if (/^on/i.test(attribute.name)) problems.push(`handler ${attribute.name}`);
						// Only an image loaded through authenticated media gets a src, a blob: URL.
						if (attribute.name === 'src' && !attribute.value.startsWith('blob:')) {
							problems.push('img src');
						}
						if (attribute.name === 'style') problems.push('style');
					}
					if (
						element instanceof HTMLAnchorElement &&
						element.hasAttribute('href') &&
						!/^(https?|mailto):$/.test(element.protocol)
					) {
						problems.push(`link ${element.protocol}`);
					}
				}
				return { text: body.textContent?.trim() ?? '', problems };
			});
		}, ALLOWED_HTML_TAGS);

		const expectedTexts = await therapist.page.evaluate(
			(corpus) =>
				corpus.map(({ expected }, index) => {
					if (expected === '') return `plain fallback ${index}`;
					// Parsed inertly: a DOMParser document runs no script and loads nothing.
					const parsed = new DOMParser().parseFromString(expected, 'text/html');
					return parsed.body.textContent?.trim() ?? '';
				}),
			corpus.map(({ expected }) => ({ expected }))
		);

		for (const [index, payload] of corpus.entries()) {
			expect(rendered[index]?.problems, payload.name).toEqual([]);
			expect(rendered[index]?.text, payload.name).toBe(expectedTexts[index]);
		}
		expect(await therapist.page.evaluate(() => 'scriptRan' in window)).toBe(false);
		expect(guard.foreignRequests).toEqual([]);
		expect(therapist.cspViolations).toEqual([]);
	} finally {
		sender.stopClient();
		await therapist.context.close();
		await client.context.close();
	}
});

/** A 1×1 transparent PNG. */
const onePixelPng = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
	'base64'
);

test('inline images load only from mxc through authenticated media', async ({ browser }) => {
	const { therapist, client, roomId, sender } = await setUpRoom(browser);
	const guard = await guardPage(therapist);
	try {
		const { content_uri: mxcUri } = await sender.uploadContent(
			new Blob([onePixelPng], { type: 'image/png' }),
			{ type: 'image/png', includeFilename: false }
		);
		await sender.sendMessage(roomId, {
			msgtype: MsgType.Text,
			body: 'three images',
			format: 'org.matrix.custom.html',
			formatted_body:
				`<p>three images</p><img alt="from the homeserver" src="${mxcUri}">` +
				'<img alt="from elsewhere" src="https://images.example/track.png">' +
				`<img alt="crafted" src="${mxcUri}/../../../_matrix/client/v3/logout">`
		});

		await therapist.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
		const body = therapist.page.getByTestId('message-body').filter({ hasText: 'three images' });
		const served = body.getByAltText('from the homeserver');
		await expect(served).toHaveAttribute('src', /^blob:/);
		await expect
			.poll(() => served.evaluate((image: HTMLImageElement) => image.naturalWidth))
			.toBe(1);
		await expect(body.getByAltText('from elsewhere')).toHaveCount(0);
		await expect(body.getByAltText('crafted')).toHaveCount(0);
		// The session is still alive: the crafted URI reached no other endpoint.
		await therapist.page.reload();
		await expect(therapist.page.getByTestId('signed-in-user')).toHaveText(therapist.userId);
		expect(guard.foreignRequests).toEqual([]);
		expect(therapist.cspViolations).toEqual([]);
	} finally {
		sender.stopClient();
		await therapist.context.close();
		await client.context.close();
	}
});

const deep = (levels: number): unknown =>
	Array.from({ length: levels }).reduce<unknown>((inner) => ({ inner }), 'bottom');

/** Malformed `m.room.message` contents, each of which must show as unsupported. */
const malformedContents: { name: string; content: Record<string, unknown> }[] = [
	{ name: 'no msgtype', content: { body: 'x' } },
	{ name: 'no body', content: { msgtype: MsgType.Text } },
	{ name: 'number body', content: { msgtype: MsgType.Text, body: 42 } },
	{ name: 'null body', content: { msgtype: MsgType.Text, body: null } },
	{ name: 'array body', content: { msgtype: MsgType.Text, body: ['a', 'b'] } },
	{ name: 'object body', content: { msgtype: MsgType.Text, body: { text: 'x' } } },
	{ name: 'boolean body', content: { msgtype: MsgType.Text, body: true } },
	{ name: 'number msgtype', content: { msgtype: 7, body: 'x' } },
	{ name: 'object msgtype', content: { msgtype: { type: 'm.text' }, body: 'x' } },
	{ name: 'unknown msgtype', content: { msgtype: 'org.example.hologram', body: 'x' } },
	{ name: 'empty msgtype', content: { msgtype: '', body: 'x' } },
	{ name: 'very long msgtype', content: { msgtype: 'm.'.padEnd(5_000, 'x'), body: 'x' } },
	{ name: 'image without file', content: { msgtype: 'm.image', body: 'x.png' } },
	{ name: 'file with bad url', content: { msgtype: 'm.file', body: 'f', url: 'javascript:1' } },
	{ name: 'location', content: { msgtype: 'm.location', body: 'here', geo_uri: 'geo:0,0' } },
	{ name: 'deep JSON', content: { msgtype: MsgType.Text, body: 'x', extra: deep(60) } },
	{ name: 'deep JSON in body slot', content: { msgtype: MsgType.Text, body: deep(40) } },
	{
		name: 'string relation',
		content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': 'oops' }
	},
	{ name: 'array relation', content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': [1] } },
	{ name: 'empty relation', content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': {} } },
	{
		name: 'edit without target',
		content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': { rel_type: 'm.replace' } }
	},
	{
		name: 'numeric relation type',
		content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': { rel_type: 3, event_id: '$a' } }
	},
	{
		name: 'reply without event',
		content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': { 'm.in_reply_to': {} } }
	},
	{
		name: 'reply to a number',
		content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': { 'm.in_reply_to': 5 } }
	},
	{
		name: 'thread without root',
		content: { msgtype: MsgType.Text, body: 'x', 'm.relates_to': { rel_type: 'm.thread' } }
	},
	{
		name: 'prototype keys',
		content: JSON.parse('{"msgtype":{"__proto__":{"x":1}},"body":"x"}') as Record<string, unknown>
	},
	{ name: 'constructor msgtype', content: { msgtype: 'constructor', body: 'x' } },
	{ name: 'proto msgtype', content: { msgtype: '__proto__', body: 'x' } },
	{ name: 'verification request', content: { msgtype: 'm.key.verification.request', body: 'x' } },
	{ name: 'server notice', content: { msgtype: 'm.server_notice', body: 'x' } },
	{ name: 'array msgtype', content: { msgtype: ['m.text'], body: 'x' } },
	{ name: 'null msgtype', content: { msgtype: null, body: 'x' } },
	{ name: 'notice without body', content: { msgtype: 'm.notice' } },
	{ name: 'emote with number body', content: { msgtype: 'm.emote', body: 1 } },
	{ name: 'nested array body', content: { msgtype: MsgType.Text, body: [[['x']]] } }
];

test('malformed events show as unsupported and break nothing', async ({ browser }) => {
	test.setTimeout(300_000);
	const { therapist, client, roomId, sender } = await setUpRoom(browser);
	expect(malformedContents.length).toBeGreaterThanOrEqual(30);

	try {
		// Synapse itself rejects some malformed events (for example relations to
		// events it does not know); those never reach a client and are not counted.
		let delivered = 0;
		for (const { content } of malformedContents) {
			try {
				await sender.sendEvent(roomId, 'm.room.message' as never, content as never);
				delivered++;
			} catch {
				// Rejected by the server.
			}
		}
		expect(delivered).toBeGreaterThanOrEqual(30);
		await sender.sendMessage(roomId, { msgtype: MsgType.Text, body: 'after the malformed ones' });

		await therapist.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
		const timeline = therapist.page.getByTestId('timeline');
		await expect(async () => {
			await timeline.evaluate((element) => element.scrollTo(0, 0));
			await expect(therapist.page.getByTestId('unsupported')).toHaveCount(
				malformedContents.length,
				{
					timeout: 1_000
				}
			);
		}).toPass({ timeout: 120_000 });
		await expect(timeline.getByText('after the malformed ones', { exact: true })).toBeVisible();

		// The room list still works: the room shows the newest readable message.
		const row = therapist.page
			.getByTestId('room-list-item')
			.filter({ hasText: 'after the malformed ones' });
		await expect(row).toBeVisible();
		await therapist.page.getByLabel('Message').fill('the therapist can still write');
		await therapist.page.getByLabel('Message').press('Enter');
		await expect(
			client.page
				.getByTestId('timeline')
				.getByText('the therapist can still write', { exact: true })
		).toBeVisible();
	} finally {
		sender.stopClient();
		await therapist.context.close();
		await client.context.close();
	}
});
