import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { discoverHomeserver } from '../../src/lib/matrix/homeserver.ts';
import { signInWithPassword } from '../../src/lib/matrix/login.ts';
import { registerTestUser } from '../support/matrix-users.ts';

/** Serves a `.well-known/matrix/client` document (or another answer) on a loopback port. */
async function serveOnce(
	handler: (path: string) => { status: number; body: string }
): Promise<{ url: string; server: Server }> {
	const server = createServer((request, response) => {
		const { status, body } = handler(request.url ?? '/');
		response.writeHead(status, { 'Content-Type': 'application/json' });
		response.end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, server };
}

describe('discoverHomeserver', () => {
	const servers: Server[] = [];

	afterAll(() => {
		for (const server of servers) server.close();
	});

	it('follows a .well-known document to the homeserver', async () => {
		const { baseUrl } = inject('synapse');
		const { url, server } = await serveOnce((path) =>
			path === '/.well-known/matrix/client'
				? { status: 200, body: JSON.stringify({ 'm.homeserver': { base_url: `${baseUrl}/` } }) }
				: { status: 404, body: '{}' }
		);
		servers.push(server);

		expect(await discoverHomeserver(new URL(url))).toBe(baseUrl);
	});

	it('uses the address itself without a .well-known document', async () => {
		const { baseUrl } = inject('synapse');

		expect(await discoverHomeserver(new URL(baseUrl))).toBe(baseUrl);
	});

	it('reports a web server that is not a homeserver', async () => {
		const { url, server } = await serveOnce(() => ({ status: 404, body: '<html>' }));
		servers.push(server);

		await expect(discoverHomeserver(new URL(url))).rejects.toMatchObject({
			code: 'homeserver_not_matrix'
		});
	});

	it('reports a closed port as unreachable', async () => {
		const { url, server } = await serveOnce(() => ({ status: 200, body: '{}' }));
		await new Promise((resolve) => server.close(resolve));

		await expect(discoverHomeserver(new URL(url))).rejects.toMatchObject({
			code: 'homeserver_unreachable'
		});
	});

	it('ignores a .well-known document that points nowhere useful', async () => {
		const { baseUrl } = inject('synapse');
		const { url, server } = await serveOnce((path) =>
			path === '/.well-known/matrix/client'
				? { status: 200, body: JSON.stringify({ 'm.homeserver': { base_url: 'javascript:x' } }) }
				: { status: 404, body: '{}' }
		);
		servers.push(server);

		await expect(discoverHomeserver(new URL(url))).rejects.toMatchObject({
			code: 'homeserver_not_matrix'
		});
		expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
	});
});

describe('signInWithPassword', () => {
	let user: Awaited<ReturnType<typeof registerTestUser>>;

	beforeAll(async () => {
		user = await registerTestUser('sign-in');
	});

	it('signs in with a user name and creates a device', async () => {
		const session = await signInWithPassword(
			inject('synapse').baseUrl,
			user.userId.slice(1).split(':')[0] ?? '',
			user.password
		);

		expect(session.userId).toBe(user.userId);
		expect(session.deviceId).not.toBe(user.deviceId);
		expect(atob(session.cryptoStoreKey)).toHaveLength(32);
	});

	it('signs in with a full Matrix ID', async () => {
		const session = await signInWithPassword(inject('synapse').baseUrl, user.userId, user.password);

		expect(session.userId).toBe(user.userId);
	});

	it('reports a wrong password', async () => {
		await expect(
			signInWithPassword(inject('synapse').baseUrl, user.userId, `${user.password}x`)
		).rejects.toMatchObject({ code: 'wrong_credentials' });
	});
});
