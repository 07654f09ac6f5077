import { ConnectionError, createClient, MatrixError } from 'matrix-js-sdk';
import { AlcoveError } from './errors.ts';
import { logger } from './logger.ts';
import type { Session } from './session.ts';

/** Device name shown in device lists. It must not say who the person is. */
const deviceDisplayName = 'Alcove web';

/** Turns an error from the SDK into an AlcoveError with a code the interface can explain. */
export function toAlcoveError(error: unknown, context: string): AlcoveError {
	if (error instanceof AlcoveError) return error;
	if (error instanceof MatrixError) {
		switch (error.errcode) {
			case 'M_FORBIDDEN':
				return new AlcoveError('wrong_credentials', `${context}: ${error.errcode}`, {
					cause: error
				});
			case 'M_USER_DEACTIVATED':
				return new AlcoveError('user_deactivated', `${context}: ${error.errcode}`, {
					cause: error
				});
			case 'M_LIMIT_EXCEEDED': {
				let retryAfterMs: number | undefined;
				try {
					retryAfterMs = error.getRetryAfterMs() ?? undefined;
				} catch {
					// A malformed Retry-After header; the message then gives no time.
				}
				return new AlcoveError('rate_limited', `${context}: ${error.errcode}`, {
					cause: error,
					retryAfterMs
				});
			}
			case 'M_UNKNOWN_TOKEN':
				return new AlcoveError('session_expired', `${context}: ${error.errcode}`, { cause: error });
			case 'M_TOO_LARGE':
				return new AlcoveError('event_too_large', `${context}: ${error.errcode}`, { cause: error });
		}
		return new AlcoveError('unknown', `${context}: ${error.errcode ?? error.httpStatus}`, {
			cause: error
		});
	}
	if (error instanceof ConnectionError || error instanceof TypeError) {
		return new AlcoveError('homeserver_unreachable', `${context}: no connection`, { cause: error });
	}
	return new AlcoveError('unknown', `${context}: ${String(error)}`, { cause: error });
}

/**
 * Signs in with a password and creates a new device
 * (https://spec.matrix.org/v1.16/client-server-api/#password-based).
 *
 * @param user - A localpart or a full Matrix ID.
 * @throws AlcoveError with `wrong_credentials`, `rate_limited`, `user_deactivated` or
 *   `homeserver_unreachable`.
 */
export async function signInWithPassword(
	homeserverUrl: string,
	user: string,
	password: string
): Promise<Session> {
	const matrixClient = createClient({ baseUrl: homeserverUrl });
	try {
		const response = await matrixClient.loginRequest({
			type: 'm.login.password',
			identifier: { type: 'm.id.user', user },
			password,
			initial_device_display_name: deviceDisplayName
		});
		const cryptoStoreKey = new Uint8Array(32);
		crypto.getRandomValues(cryptoStoreKey);
		logger.info('Signed in', response.user_id, response.device_id);
		return {
			homeserverUrl,
			userId: response.user_id,
			deviceId: response.device_id,
			accessToken: response.access_token,
			cryptoStoreKey: btoa(String.fromCharCode(...cryptoStoreKey))
		};
	} catch (error) {
		throw toAlcoveError(error, 'Password sign-in');
	} finally {
		matrixClient.stopClient();
	}
}
