import type { AlcoveErrorCode } from './matrix/errors.ts';
import { AlcoveError } from './matrix/errors.ts';

/** The sentence shown to the user for each error code: what happened and what to do. */
const errorMessages: Record<AlcoveErrorCode, string> = {
	invalid_homeserver_url:
		'That homeserver address is not valid. Use a form like https://matrix.clinic.example.',
	homeserver_unreachable:
		'Alcove could not reach the homeserver. Check the address and your connection, then try again.',
	homeserver_not_matrix:
		'That address answered, but it is not a Matrix homeserver. Check the address with your practice.',
	invalid_user_id: 'That is not a valid Matrix ID. A Matrix ID looks like @name:clinic.example.',
	invalid_password: 'Enter your password.',
	wrong_credentials: 'The user name or password is wrong. Check both and try again.',
	user_deactivated: 'This account has been deactivated. Ask your practice for help.',
	rate_limited: 'Too many attempts. Wait a moment, then try again.',
	user_not_found: 'No account with that Matrix ID was found.',
	invite_failed: 'The invitation could not be sent. Check the Matrix ID and try again.',
	event_too_large:
		'This message is too long to send. Shorten it or split it into several messages; your text is still in the box.',
	session_expired: 'Your session has ended. Sign in again.',
	invalid_recovery_key:
		'That is not a valid recovery key. Check it against the one you saved, letter by letter.',
	wrong_recovery_key:
		'That recovery key or passphrase does not belong to this account. Check it and try again.',
	invalid_passphrase: 'Enter a passphrase, or leave the passphrase out.',
	recovery_not_set_up:
		'This account has no recovery set up yet. Sign in on the device where you first used Alcove.',
	auth_cancelled: 'Nothing was changed, because the password was not confirmed.',
	auth_unsupported:
		'Your homeserver asks for a kind of confirmation Alcove does not support. Ask your practice for help.',
	device_not_verified:
		'Verify this device first, from another device or with your recovery key, then try again.',
	identity_changed:
		'This person’s identity has changed. Check with them, then accept the change before continuing.',
	user_not_in_room: 'That person is not in this conversation.',
	invalid_device: 'You cannot remove the device you are using. Sign out instead.',
	invalid_device_name: 'A device name needs 1 to 100 characters.',
	unknown: 'Something went wrong. Try again, and ask your practice if it keeps happening.'
};

/** Returns the plain-language message for an error, never raw server text. */
export function errorMessage(error: unknown): string {
	if (error instanceof AlcoveError) {
		if (error.code === 'rate_limited' && error.retryAfterMs) {
			const seconds = Math.ceil(error.retryAfterMs / 1000);
			return `Too many attempts. Wait ${seconds} second${seconds === 1 ? '' : 's'}, then try again.`;
		}
		return errorMessages[error.code];
	}
	return errorMessages.unknown;
}
