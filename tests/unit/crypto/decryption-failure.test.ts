import { MatrixEvent } from 'matrix-js-sdk';
import { DecryptionFailureCode } from 'matrix-js-sdk/lib/crypto-api';
import { describe, expect, it } from 'vitest';
import {
	decryptionFailureReason,
	explainDecryptionFailure,
	explainEventDecryptionFailure
} from '../../../src/lib/matrix/crypto/decryption-failure.ts';

describe('decryptionFailureReason', () => {
	it.each([
		[DecryptionFailureCode.MEGOLM_KEY_WITHHELD, 'keys_withheld'],
		[DecryptionFailureCode.MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE, 'this_device_not_verified'],
		[DecryptionFailureCode.HISTORICAL_MESSAGE_USER_NOT_JOINED, 'sent_before_joined'],
		[DecryptionFailureCode.HISTORICAL_MESSAGE_BACKUP_UNCONFIGURED, 'backup_not_restored'],
		[DecryptionFailureCode.HISTORICAL_MESSAGE_NO_KEY_BACKUP, 'sent_before_this_device'],
		[DecryptionFailureCode.HISTORICAL_MESSAGE_WORKING_BACKUP, 'waiting_for_keys'],
		[DecryptionFailureCode.MEGOLM_UNKNOWN_INBOUND_SESSION_ID, 'waiting_for_keys'],
		[DecryptionFailureCode.OLM_UNKNOWN_MESSAGE_INDEX, 'waiting_for_keys'],
		[DecryptionFailureCode.UNSIGNED_SENDER_DEVICE, 'sender_device_not_cross_signed'],
		[DecryptionFailureCode.UNKNOWN_SENDER_DEVICE, 'sender_device_unknown'],
		[DecryptionFailureCode.SENDER_IDENTITY_PREVIOUSLY_VERIFIED, 'sender_identity_changed'],
		[DecryptionFailureCode.UNKNOWN_ERROR, 'unknown']
	])('maps %s to %s', (code, reason) => {
		expect(decryptionFailureReason(code)).toBe(reason);
	});

	it('maps every code the SDK defines', () => {
		for (const code of Object.values(DecryptionFailureCode)) {
			expect(decryptionFailureReason(code), code).toEqual(expect.any(String));
		}
	});
});

describe('explainDecryptionFailure', () => {
	it('gives every code an explanation and an action', () => {
		for (const code of Object.values(DecryptionFailureCode)) {
			const explained = explainDecryptionFailure(code);

			expect(explained.explanation.length, code).toBeGreaterThan(20);
			expect(explained.action.length, code).toBeGreaterThan(10);
		}
	});

	it('expects only missing keys to arrive on their own', () => {
		const resolving = Object.values(DecryptionFailureCode).filter(
			(code) => explainDecryptionFailure(code).mayResolveItself
		);

		expect(resolving.sort()).toEqual(
			[
				DecryptionFailureCode.HISTORICAL_MESSAGE_WORKING_BACKUP,
				DecryptionFailureCode.MEGOLM_UNKNOWN_INBOUND_SESSION_ID,
				DecryptionFailureCode.OLM_UNKNOWN_MESSAGE_INDEX
			].sort()
		);
	});

	it('never suggests trusting unverified devices', () => {
		for (const code of Object.values(DecryptionFailureCode)) {
			const { explanation, action } = explainDecryptionFailure(code);

			expect(`${explanation} ${action}`.toLowerCase()).not.toMatch(/unverified devices|ignore/);
		}
	});
});

describe('explainEventDecryptionFailure', () => {
	it('returns null for an event that is not a failure', () => {
		const event = new MatrixEvent({
			type: 'm.room.message',
			event_id: '$event',
			sender: '@therapist:clinic.example',
			content: { msgtype: 'm.text', body: 'Hello' }
		});

		expect(explainEventDecryptionFailure(event)).toBeNull();
	});
});
