import { describe, expect, it } from 'vitest';
import {
	classifyEncryptionSetup,
	type EncryptionSetup,
	type EncryptionState
} from '../../../src/lib/matrix/crypto/bootstrap.ts';

const nothing: EncryptionState = {
	crossSigningReady: false,
	secretStorageReady: false,
	backupActive: false,
	deviceVerified: false
};
const everything: EncryptionState = {
	crossSigningReady: true,
	secretStorageReady: true,
	backupActive: true,
	deviceVerified: true
};

describe('classifyEncryptionSetup', () => {
	it.each<[string, EncryptionState, boolean, boolean, EncryptionSetup]>([
		['a new account', nothing, false, false, 'needs_setup'],
		['a set-up device', everything, true, true, 'ready'],
		['a second device', { ...nothing, secretStorageReady: true }, true, true, 'needs_unlock'],
		[
			'a set-up stopped after cross-signing',
			{ ...nothing, crossSigningReady: true, deviceVerified: true },
			true,
			false,
			'needs_setup'
		],
		['an identity without secret storage elsewhere', nothing, true, false, 'needs_unlock'],
		['secret storage without an identity', nothing, false, true, 'needs_unlock'],
		[
			'a set-up device before its backup check',
			{ ...everything, backupActive: false },
			true,
			true,
			'ready'
		],
		[
			'a set-up device before secret storage loaded',
			{ ...everything, secretStorageReady: false, backupActive: false },
			true,
			true,
			'ready'
		],
		[
			'ready keys on an unsigned device',
			{ ...everything, deviceVerified: false },
			true,
			true,
			'needs_unlock'
		]
	])('classifies %s', (_, state, hasIdentity, hasSecretStorage, expected) => {
		expect(classifyEncryptionSetup(state, hasIdentity, hasSecretStorage)).toBe(expected);
	});
});
