import { describe, expect, it } from 'vitest';
import {
	classifyUserTrust,
	weakestTrust,
	type UserTrust
} from '../../../src/lib/matrix/crypto/trust-state.ts';

function status(flags: {
	known: boolean;
	verified: boolean;
	wasVerified: boolean;
	needsApproval: boolean;
}): Parameters<typeof classifyUserTrust>[0] {
	return {
		known: flags.known,
		needsUserApproval: flags.needsApproval,
		isCrossSigningVerified: () => flags.verified,
		wasCrossSigningVerified: () => flags.wasVerified
	};
}

describe('classifyUserTrust', () => {
	it.each<[string, Parameters<typeof status>[0], UserTrust]>([
		[
			'an unknown user',
			{ known: false, verified: false, wasVerified: false, needsApproval: false },
			'unknown'
		],
		[
			'a verified user',
			{ known: true, verified: true, wasVerified: true, needsApproval: false },
			'verified'
		],
		[
			'a first-seen user',
			{ known: true, verified: false, wasVerified: false, needsApproval: false },
			'unverified'
		],
		[
			'a verified user who changed',
			{ known: true, verified: false, wasVerified: true, needsApproval: true },
			'identity_changed'
		],
		[
			'a pinned user who changed',
			{ known: true, verified: false, wasVerified: false, needsApproval: true },
			'identity_changed'
		],
		[
			'a re-verified new identity',
			{ known: true, verified: true, wasVerified: true, needsApproval: false },
			'verified'
		]
	])('classifies %s', (_, flags, trust) => {
		expect(classifyUserTrust(status(flags))).toBe(trust);
	});
});

describe('weakestTrust', () => {
	it('is verified for a room without other members', () => {
		expect(weakestTrust([])).toBe('verified');
	});

	it('puts an identity change below everything', () => {
		expect(weakestTrust(['verified', 'identity_changed', 'unknown'])).toBe('identity_changed');
	});

	it('puts unknown below unverified', () => {
		expect(weakestTrust(['unverified', 'unknown', 'verified'])).toBe('unknown');
	});

	it('stays verified when every member is', () => {
		expect(weakestTrust(['verified', 'verified'])).toBe('verified');
	});
});
