import { createHmac } from 'node:crypto';

/** Credentials that Synapse's registration API returns for a new account. */
export interface RegisteredUser {
	userId: string;
	accessToken: string;
	deviceId: string;
	password: string;
}

/** Error from the shared-secret registration API, with Synapse's errcode. */
export class RegistrationError extends Error {
	readonly errcode: string | undefined;

	constructor(message: string, errcode: string | undefined) {
		super(message);
		this.name = 'RegistrationError';
		this.errcode = errcode;
	}
}

/**
 * Registers an account through Synapse's shared-secret admin API
 * (POST /_synapse/admin/v1/register), which works while open registration is off.
 * The MAC is HMAC-SHA1 over nonce, user name, password and admin flag, separated by NUL bytes.
 */
export async function registerUser(
	baseUrl: string,
	sharedSecret: string,
	user: { username: string; password: string; displayName?: string; admin?: boolean }
): Promise<RegisteredUser> {
	const endpoint = `${baseUrl}/_synapse/admin/v1/register`;
	const nonceResponse = await fetch(endpoint);
	if (!nonceResponse.ok) {
		throw new RegistrationError(
			`GET ${endpoint} failed with HTTP ${nonceResponse.status}; is registration_shared_secret set?`,
			undefined
		);
	}
	const { nonce } = (await nonceResponse.json()) as { nonce: string };
	const admin = user.admin ?? false;
	const mac = createHmac('sha1', sharedSecret)
		.update(`${nonce}\0${user.username}\0${user.password}\0${admin ? 'admin' : 'notadmin'}`)
		.digest('hex');

	const response = await fetch(endpoint, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({
			nonce,
			username: user.username,
			password: user.password,
			displayname: user.displayName,
			admin,
			mac
		})
	});
	const body = (await response.json()) as {
		user_id?: string;
		access_token?: string;
		device_id?: string;
		errcode?: string;
		error?: string;
	};
	if (!response.ok || !body.user_id || !body.access_token || !body.device_id) {
		throw new RegistrationError(
			`Registering ${user.username} failed with HTTP ${response.status}: ${body.error ?? 'no error text'}`,
			body.errcode
		);
	}
	return {
		userId: body.user_id,
		accessToken: body.access_token,
		deviceId: body.device_id,
		password: user.password
	};
}
