import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, type RegisteredUser } from '../../scripts/lib/synapse-admin.ts';
import { projectRoot } from '../../scripts/lib/project.ts';
import { startSynapse, type SynapseServer } from '../../scripts/lib/synapse-server.ts';

// A Synapse of its own, started with synapse-config/production.yaml after the
// development configuration and the instance file that startSynapse writes.
// production.yaml sets no listener, database or path (synapse-config.test.ts
// checks that), so the instance file's loopback listener and SQLite database
// stay in place and every policy key comes from production.yaml. No test
// overlay is loaded: the rate limits are Synapse's defaults, and each test
// keeps to them (at most 3 registrations per address and no logins).
const productionConfig = path.join(projectRoot, 'synapse-config', 'production.yaml');

interface ApiResponse {
	status: number;
	body: Record<string, unknown>;
}

interface UserInteractiveAuthFlow {
	stages: string[];
}

let synapse: SynapseServer;

async function callApi(
	method: string,
	apiPath: string,
	options: { accessToken?: string; body?: unknown } = {}
): Promise<ApiResponse> {
	const headers: Record<string, string> = {};
	if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
	if (options.body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(`${synapse.baseUrl}${apiPath}`, {
		method,
		headers,
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
	const text = await response.text();
	let body: Record<string, unknown>;
	try {
		body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
	} catch {
		body = { text };
	}
	return { status: response.status, body };
}

function registerAccount(
	role: string,
	options: { admin?: boolean; displayName?: string } = {}
): Promise<RegisteredUser> {
	return registerUser(synapse.baseUrl, synapse.registrationSharedSecret, {
		username: `${role}-${randomBytes(4).toString('hex')}`,
		password: randomBytes(12).toString('base64url'),
		...options
	});
}

async function createRoom(
	creator: RegisteredUser,
	request: Record<string, unknown>
): Promise<string> {
	const response = await callApi('POST', '/_matrix/client/v3/createRoom', {
		accessToken: creator.accessToken,
		body: request
	});
	expect(response.status, `createRoom ${JSON.stringify(request)}`).toBe(200);
	return response.body.room_id as string;
}

async function joinRoom(user: RegisteredUser, roomId: string): Promise<void> {
	const response = await callApi('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {
		accessToken: user.accessToken,
		body: {}
	});
	expect(response.status, `join ${roomId}`).toBe(200);
}

function registrationStages(body: Record<string, unknown>): string[][] {
	return ((body.flows as UserInteractiveAuthFlow[] | undefined) ?? []).map((flow) => flow.stages);
}

describe('production Synapse configuration', () => {
	let dataDir: string;
	let admin: RegisteredUser;
	let therapist: RegisteredUser;
	let client: RegisteredUser;
	let stranger: RegisteredUser;
	let sharedRoomId: string;
	const strangerName = `Stranger ${randomBytes(4).toString('hex')}`;
	const therapistName = `Therapist ${randomBytes(4).toString('hex')}`;

	beforeAll(async () => {
		dataDir = mkdtempSync(path.join(tmpdir(), 'alcove-synapse-production-'));
		synapse = await startSynapse({ dataDir, extraConfigFiles: [productionConfig] });

		admin = await registerAccount('admin', { admin: true });
		therapist = await registerAccount('therapist', { displayName: therapistName });
		client = await registerAccount('client', { displayName: 'Client' });
		stranger = await registerAccount('stranger', { displayName: strangerName });

		sharedRoomId = await createRoom(therapist, { preset: 'private_chat', invite: [client.userId] });
		await joinRoom(client, sharedRoomId);
	});

	afterAll(async () => {
		await synapse?.stop();
		if (!process.env.ALCOVE_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
	});

	it('rejects registration without a token', async () => {
		const username = `nobody-${randomBytes(4).toString('hex')}`;
		const password = randomBytes(12).toString('base64url');

		const started = await callApi('POST', '/_matrix/client/v3/register', {
			body: { username, password }
		});
		expect(started.status).toBe(401);
		const stages = registrationStages(started.body);
		expect(stages.length).toBeGreaterThan(0);
		for (const flow of stages) expect(flow).toContain('m.login.registration_token');

		const withoutToken = await callApi('POST', '/_matrix/client/v3/register', {
			body: { username, password, auth: { type: 'm.login.dummy', session: started.body.session } }
		});
		expect(withoutToken.status).toBe(401);
		expect(withoutToken.body.access_token).toBeUndefined();

		const wrongToken = await callApi('POST', '/_matrix/client/v3/register', {
			body: {
				username,
				password,
				auth: {
					type: 'm.login.registration_token',
					token: 'not-a-token',
					session: started.body.session
				}
			}
		});
		expect(wrongToken.status).toBe(401);
		expect(wrongToken.body.access_token).toBeUndefined();
	});

	it('registers with a token from the admin API, once', async () => {
		const created = await callApi('POST', '/_synapse/admin/v1/registration_tokens/new', {
			accessToken: admin.accessToken,
			body: { uses_allowed: 1 }
		});
		expect(created.status).toBe(200);
		const token = created.body.token as string;

		// The only flow is m.login.registration_token, then m.login.dummy.
		const register = async (username: string): Promise<ApiResponse> => {
			const password = randomBytes(12).toString('base64url');
			const started = await callApi('POST', '/_matrix/client/v3/register', {
				body: { username, password }
			});
			const session = started.body.session;
			await callApi('POST', '/_matrix/client/v3/register', {
				body: { username, password, auth: { type: 'm.login.registration_token', token, session } }
			});
			return callApi('POST', '/_matrix/client/v3/register', {
				body: { username, password, auth: { type: 'm.login.dummy', session } }
			});
		};

		const first = await register(`invited-${randomBytes(4).toString('hex')}`);
		expect(first.status).toBe(200);
		expect(first.body.access_token).toEqual(expect.any(String));

		const second = await register(`invited-${randomBytes(4).toString('hex')}`);
		expect(second.status).toBe(401);
		expect(second.body.access_token).toBeUndefined();
	});

	it('rejects guest registration', async () => {
		const response = await callApi('POST', '/_matrix/client/v3/register?kind=guest', { body: {} });
		expect(response.status).toBe(403);
		expect(response.body.access_token).toBeUndefined();
	});

	it('has no URL preview endpoint', async () => {
		// A loopback URL, so that a Synapse with previews enabled would not
		// reach out to the network.
		const url = encodeURIComponent('http://127.0.0.1:9/');
		const authenticated = await callApi('GET', `/_matrix/client/v1/media/preview_url?url=${url}`, {
			accessToken: therapist.accessToken
		});
		expect(authenticated.status).toBe(404);

		const legacy = await callApi('GET', `/_matrix/media/v3/preview_url?url=${url}`, {
			accessToken: therapist.accessToken
		});
		expect(legacy.status).toBe(404);
	});

	it('ignores presence updates', async () => {
		const statusPath = `/_matrix/client/v3/presence/${encodeURIComponent(therapist.userId)}/status`;
		const update = await callApi('PUT', statusPath, {
			accessToken: therapist.accessToken,
			body: { presence: 'online', status_msg: 'In a session until 3 pm' }
		});
		expect(update.status).toBe(200);

		const seenByClient = await callApi('GET', statusPath, { accessToken: client.accessToken });
		expect(seenByClient.status).toBe(200);
		expect(seenByClient.body.presence).toBe('offline');
		expect(seenByClient.body.status_msg).toBeUndefined();
	});

	it('hides profiles from users who share no room', async () => {
		const strangerProfile = `/_matrix/client/v3/profile/${encodeURIComponent(stranger.userId)}`;
		const byTherapist = await callApi('GET', strangerProfile, {
			accessToken: therapist.accessToken
		});
		expect(byTherapist.status).toBe(403);
		expect(byTherapist.body.displayname).toBeUndefined();

		const anonymous = await callApi('GET', strangerProfile);
		expect(anonymous.status).toBe(401);

		const therapistProfile = `/_matrix/client/v3/profile/${encodeURIComponent(therapist.userId)}`;
		const byClient = await callApi('GET', therapistProfile, { accessToken: client.accessToken });
		expect(byClient.status).toBe(200);
		expect(byClient.body.displayname).toBe(therapistName);
	});

	it('sends invitations without profile data', async () => {
		const roomId = await createRoom(therapist, { preset: 'private_chat' });
		const invite = await callApi(
			'POST',
			`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`,
			{
				accessToken: therapist.accessToken,
				body: { user_id: stranger.userId }
			}
		);
		expect(invite.status).toBe(200);

		const member = await callApi(
			'GET',
			`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(stranger.userId)}`,
			{ accessToken: therapist.accessToken }
		);
		expect(member.status).toBe(200);
		expect(member.body.membership).toBe('invite');
		expect(member.body.displayname).toBeUndefined();
	});

	it('encrypts a room created without encryption state', async () => {
		for (const preset of ['private_chat', 'public_chat']) {
			const roomId = await createRoom(therapist, { preset });
			const encryption = await callApi(
				'GET',
				`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`,
				{ accessToken: therapist.accessToken }
			);
			expect(encryption.status, `m.room.encryption in a ${preset} room`).toBe(200);
			expect(encryption.body.algorithm, `algorithm in a ${preset} room`).toBe(
				'm.megolm.v1.aes-sha2'
			);
		}
	});

	it('requires sign-in for the public room directory', async () => {
		const anonymous = await callApi('GET', '/_matrix/client/v3/publicRooms');
		expect(anonymous.status).toBe(401);
		expect(anonymous.body.errcode).toBe('M_MISSING_TOKEN');
	});

	it('publishes no room in the directory', async () => {
		const roomId = await createRoom(therapist, { preset: 'public_chat' });
		const publish = await callApi(
			'PUT',
			`/_matrix/client/v3/directory/list/room/${encodeURIComponent(roomId)}`,
			{ accessToken: therapist.accessToken, body: { visibility: 'public' } }
		);
		expect(publish.status).toBe(403);

		const listing = await callApi('GET', '/_matrix/client/v3/publicRooms', {
			accessToken: therapist.accessToken
		});
		expect(listing.status).toBe(200);
		expect(listing.body.chunk).toEqual([]);
	});

	it('rejects room aliases', async () => {
		const alias = `#care-${randomBytes(4).toString('hex')}:${synapse.serverName}`;
		const response = await callApi(
			'PUT',
			`/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`,
			{ accessToken: therapist.accessToken, body: { room_id: sharedRoomId } }
		);
		expect(response.status).toBe(403);
	});

	it('finds only users who share a room in the directory', async () => {
		const search = (accessToken: string, term: string): Promise<ApiResponse> =>
			callApi('POST', '/_matrix/client/v3/user_directory/search', {
				accessToken,
				body: { search_term: term, limit: 10 }
			});

		// Synapse fills the directory in the background; the client shares a
		// room with the therapist, so that search succeeds once it is filled.
		const deadline = Date.now() + 30_000;
		let found: ApiResponse = await search(client.accessToken, therapistName);
		while ((found.body.results as unknown[] | undefined)?.length === 0 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			found = await search(client.accessToken, therapistName);
		}
		expect(found.status).toBe(200);
		expect(found.body.results).toEqual([expect.objectContaining({ user_id: therapist.userId })]);

		const hidden = await search(client.accessToken, strangerName);
		expect(hidden.status).toBe(200);
		expect(hidden.body.results).toEqual([]);
	});
});
