/**
 * Threat model: replacing cross-signing keys or deleting a device lets whoever
 * holds the access token take over or lock out the account, so the homeserver
 * asks for the password again (user-interactive authentication,
 * https://spec.matrix.org/v1.16/client-server-api/#user-interactive-authentication-api).
 * The password goes only into that one request body; it is not kept, cached or
 * logged here.
 */
import { AuthType, MatrixError, type AuthDict, type UIAuthCallback } from 'matrix-js-sdk';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';

const log = logger.getChild('[UIA]');

/** Number of password attempts before the operation fails with `wrong_credentials`. */
const maxPasswordAttempts = 3;

/**
 * Asks the user for their account password. `retry` is true after the server
 * rejected the previous password. Resolves with null if the user cancels.
 */
export type PasswordPrompt = (request: { retry: boolean }) => Promise<string | null>;

/** The UIA session ID of a 401 response that asks for authentication, or undefined. */
function uiaSession(error: unknown): { session: string; flows: string[][] } | undefined {
	if (!(error instanceof MatrixError) || error.httpStatus !== 401) return undefined;
	const session: unknown = error.data.session;
	const flows: unknown = error.data.flows;
	if (typeof session !== 'string' || !Array.isArray(flows)) return undefined;
	const stages = flows.map((flow: { stages?: unknown }) =>
		Array.isArray(flow.stages) ? flow.stages.filter((stage) => typeof stage === 'string') : []
	);
	return { session, flows: stages };
}

/**
 * Builds the callback that the SDK calls for a request behind user-interactive
 * authentication. It first sends the request without authentication, because
 * Synapse lets some requests through without it (the very first cross-signing
 * upload, MSC3967). If the server asks for authentication, it asks the user for
 * the password and retries with `m.login.password`.
 *
 * @throws AlcoveError `auth_cancelled` if the prompt returns null,
 *   `auth_unsupported` if the server offers no password stage (for example an
 *   account that signs in through single sign-on), `wrong_credentials` after
 *   three rejected passwords.
 */
export function passwordAuthCallback<T>(
	userId: string,
	requestPassword: PasswordPrompt
): UIAuthCallback<T> {
	return async (makeRequest: (auth: AuthDict | null) => Promise<T>): Promise<T> => {
		let challenge: ReturnType<typeof uiaSession>;
		try {
			return await makeRequest(null);
		} catch (error) {
			challenge = uiaSession(error);
			if (!challenge) throw error;
		}
		if (!challenge.flows.some((flow) => flow.length === 1 && flow[0] === AuthType.Password)) {
			throw new AlcoveError(
				'auth_unsupported',
				`The homeserver offers no password confirmation for this request (flows: ${JSON.stringify(challenge.flows)})`
			);
		}

		for (let attempt = 0; attempt < maxPasswordAttempts; attempt++) {
			const password = await requestPassword({ retry: attempt > 0 });
			if (password === null) {
				throw new AlcoveError('auth_cancelled', 'The password confirmation was cancelled');
			}
			try {
				return await makeRequest({
					type: AuthType.Password,
					identifier: { type: 'm.id.user', user: userId },
					password,
					session: challenge.session
				});
			} catch (error) {
				// A wrong password comes back as another 401 challenge, with M_FORBIDDEN.
				const next = uiaSession(error);
				if (!next || (error as MatrixError).errcode !== 'M_FORBIDDEN') throw error;
				log.warn('The homeserver rejected the password, attempt', attempt + 1);
				challenge = next;
			}
		}
		throw new AlcoveError(
			'wrong_credentials',
			`The homeserver rejected the password ${maxPasswordAttempts} times`
		);
	};
}
