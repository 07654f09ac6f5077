/**
 * Threat model: an event that fails to decrypt must stay unreadable and must
 * be explained without leaking anything. This module sees only the SDK's
 * failure code, never ciphertext, keys or sender details, and its texts name
 * no person. It also never suggests a step that weakens protection (such as
 * sharing keys with unverified devices); every suggested action keeps the
 * trust rules intact.
 */
import type { MatrixEvent } from 'matrix-js-sdk';
import { DecryptionFailureCode } from 'matrix-js-sdk/lib/crypto-api';

/** Reason an event cannot be read on this device. */
export type DecryptionFailureReason =
	/** The sender's device reported that it withholds the key from this device. */
	| 'keys_withheld'
	/** The sender shares keys only with verified devices, and this one is not. */
	| 'this_device_not_verified'
	/** The event was sent before this user was invited to the room. */
	| 'sent_before_joined'
	/** Sent before this device existed; the backup holds it but is not unlocked here. */
	| 'backup_not_restored'
	/** Sent before this device existed, and the account has no key backup. */
	| 'sent_before_this_device'
	/** The key may still arrive: from the sender, or from the backup being read. */
	| 'waiting_for_keys'
	/** Sent from a device its owner has not cross-signed, which this device excludes. */
	| 'sender_device_not_cross_signed'
	/** Sent from a device this device does not know, which this device excludes. */
	| 'sender_device_unknown'
	/** The sender's identity changed after this account verified it. */
	| 'sender_identity_changed'
	| 'unknown';

/** A failure reason with the sentences the interface shows for it. */
export interface DecryptionFailureExplanation {
	reason: DecryptionFailureReason;
	/** Plain-language account of what happened. */
	explanation: string;
	/** Step the user can take about it. */
	action: string;
	/** True if the message may still become readable without anyone doing anything. */
	mayResolveItself: boolean;
}

/** Maps the SDK's failure code to a reason. */
export function decryptionFailureReason(code: DecryptionFailureCode): DecryptionFailureReason {
	switch (code) {
		case DecryptionFailureCode.MEGOLM_KEY_WITHHELD:
			return 'keys_withheld';
		case DecryptionFailureCode.MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE:
			return 'this_device_not_verified';
		case DecryptionFailureCode.HISTORICAL_MESSAGE_USER_NOT_JOINED:
			return 'sent_before_joined';
		case DecryptionFailureCode.HISTORICAL_MESSAGE_BACKUP_UNCONFIGURED:
			return 'backup_not_restored';
		case DecryptionFailureCode.HISTORICAL_MESSAGE_NO_KEY_BACKUP:
			return 'sent_before_this_device';
		case DecryptionFailureCode.HISTORICAL_MESSAGE_WORKING_BACKUP:
		case DecryptionFailureCode.MEGOLM_UNKNOWN_INBOUND_SESSION_ID:
		case DecryptionFailureCode.OLM_UNKNOWN_MESSAGE_INDEX:
			return 'waiting_for_keys';
		case DecryptionFailureCode.UNSIGNED_SENDER_DEVICE:
			return 'sender_device_not_cross_signed';
		case DecryptionFailureCode.UNKNOWN_SENDER_DEVICE:
			return 'sender_device_unknown';
		case DecryptionFailureCode.SENDER_IDENTITY_PREVIOUSLY_VERIFIED:
			return 'sender_identity_changed';
		case DecryptionFailureCode.UNKNOWN_ERROR:
			return 'unknown';
	}
}

const explanations: Record<
	DecryptionFailureReason,
	Omit<DecryptionFailureExplanation, 'reason'>
> = {
	keys_withheld: {
		explanation: 'The sender’s device did not share the key for this message with this device.',
		action: 'Ask the sender to check that this device is verified, then to send it again.',
		mayResolveItself: false
	},
	this_device_not_verified: {
		explanation:
			'The sender shares messages only with verified devices, and this device is not verified yet.',
		action:
			'Verify this device from another device where you are signed in, or unlock it with your recovery key. Later messages will then be readable.',
		mayResolveItself: false
	},
	sent_before_joined: {
		explanation: 'This message was sent before you were added to this conversation.',
		action:
			'Only people who were in the conversation at the time can read it. If you need it, ask the person who added you to share the earlier messages.',
		mayResolveItself: false
	},
	backup_not_restored: {
		explanation:
			'This message was sent before you signed in on this device, and this device cannot open your message backup yet.',
		action:
			'Unlock this device with your recovery key, or verify it from another device where you are signed in.',
		mayResolveItself: false
	},
	sent_before_this_device: {
		explanation:
			'This message was sent before you signed in on this device, and your account has no message backup to restore it from.',
		action: 'Read it on a device where you were signed in when it was sent.',
		mayResolveItself: false
	},
	waiting_for_keys: {
		explanation: 'The key to open this message has not reached this device yet.',
		action: 'Wait a moment. If it stays like this, ask the sender whether their device is online.',
		mayResolveItself: true
	},
	sender_device_not_cross_signed: {
		explanation:
			'This message was sent from a device that the sender has not verified, and this device shows messages only from verified devices.',
		action: 'Ask the sender to verify that device, or to write from a verified one.',
		mayResolveItself: false
	},
	sender_device_unknown: {
		explanation:
			'This message was sent from a device that this device does not know, for example one that was removed.',
		action: 'Ask the sender whether they sent it.',
		mayResolveItself: false
	},
	sender_identity_changed: {
		explanation: 'The sender’s identity has changed since you verified them.',
		action:
			'Check with the sender in person or by phone. Then verify them again, or accept the change.',
		mayResolveItself: false
	},
	unknown: {
		explanation: 'This message could not be opened on this device.',
		action: 'Try again later. If it keeps happening, ask your practice for help.',
		mayResolveItself: false
	}
};

/** Explains a failure code in plain words, with what the user can do. */
export function explainDecryptionFailure(
	code: DecryptionFailureCode
): DecryptionFailureExplanation {
	const reason = decryptionFailureReason(code);
	return { reason, ...explanations[reason] };
}

/** Explains why an event failed to decrypt; null if it decrypted or was never encrypted. */
export function explainEventDecryptionFailure(
	event: MatrixEvent
): DecryptionFailureExplanation | null {
	const code = event.decryptionFailureReason;
	return code === null ? null : explainDecryptionFailure(code);
}
