import { describe, expect, it } from 'vitest';
import { signOutLosesMessages } from '../../../src/lib/matrix/crypto/sign-out-risk.ts';

describe('signOutLosesMessages', () => {
	it.each([
		[true, false, true],
		[true, true, false],
		[false, false, false],
		[false, true, false]
	])('last device %s, backup %s gives %s', (lastDevice, backupActive, expected) => {
		expect(signOutLosesMessages({ lastDevice, backupActive })).toBe(expected);
	});
});
