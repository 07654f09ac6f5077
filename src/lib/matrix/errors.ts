/** What went wrong, as a code the interface maps to one plain sentence. */
export type AlcoveErrorCode =
	| 'invalid_homeserver_url'
	| 'homeserver_unreachable'
	| 'homeserver_not_matrix'
	| 'invalid_user_id'
	| 'invalid_password'
	| 'wrong_credentials'
	| 'user_deactivated'
	| 'rate_limited'
	| 'user_not_found'
	| 'invite_failed'
	| 'event_too_large'
	| 'session_expired'
	| 'invalid_recovery_key'
	| 'wrong_recovery_key'
	| 'invalid_passphrase'
	| 'recovery_not_set_up'
	| 'auth_cancelled'
	| 'auth_unsupported'
	| 'device_not_verified'
	| 'identity_changed'
	| 'user_not_in_room'
	| 'invalid_device'
	| 'invalid_device_name'
	| 'unknown';

/** Error thrown by Alcove's Matrix layer; `code` selects the message shown to the user. */
export class AlcoveError extends Error {
	readonly code: AlcoveErrorCode;
	/** For `rate_limited`: how long the server asked us to wait, in milliseconds. */
	readonly retryAfterMs: number | undefined;

	constructor(
		code: AlcoveErrorCode,
		message: string,
		options: { cause?: unknown; retryAfterMs?: number } = {}
	) {
		super(message, { cause: options.cause });
		this.name = 'AlcoveError';
		this.code = code;
		this.retryAfterMs = options.retryAfterMs;
	}
}
