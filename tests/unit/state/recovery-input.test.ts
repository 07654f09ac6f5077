import { encodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api';
import { describe, expect, it } from 'vitest';
import {
	classifyRecoveryInput,
	matchesRecoveryKeyGroup,
	pickConfirmationGroup,
	recoveryKeyGroups
} from '../../../src/lib/state/recovery-input.ts';

const recoveryKey = encodeRecoveryKey(Uint8Array.from({ length: 32 }, (_, index) => index * 5));
if (!recoveryKey) throw new Error('encodeRecoveryKey returned nothing');

/** Swaps the first character of group 3 for another base58 character. */
function withTypo(key: string): string {
	const index = 10;
	const replacement = key[index] === 'a' ? 'b' : 'a';
	return key.slice(0, index) + replacement + key.slice(index + 1);
}

describe('recoveryKeyGroups', () => {
	it('splits a key into 12 groups of four', () => {
		const groups = recoveryKeyGroups(recoveryKey);
		expect(groups).toHaveLength(12);
		expect(groups.every((group) => group.length === 4)).toBe(true);
		expect(groups.join(' ')).toBe(recoveryKey);
	});

	it('ignores how the key was spaced', () => {
		expect(recoveryKeyGroups(recoveryKey.replaceAll(' ', ''))).toEqual(
			recoveryKeyGroups(recoveryKey)
		);
	});
});

describe('pickConfirmationGroup', () => {
	it.each([
		[0, 2],
		[0.5, 7],
		[0.999, 12]
	])('maps random %d to group %d of 12', (random, group) => {
		expect(pickConfirmationGroup(12, random)).toBe(group);
	});

	it('never picks the first group of a longer key', () => {
		for (let step = 0; step < 100; step++) {
			expect(pickConfirmationGroup(12, step / 100)).toBeGreaterThanOrEqual(2);
		}
	});
});

describe('matchesRecoveryKeyGroup', () => {
	const groups = recoveryKeyGroups(recoveryKey);

	it('accepts the asked group with spaces around it', () => {
		expect(matchesRecoveryKeyGroup(recoveryKey, 5, ` ${groups[4]} `)).toBe(true);
	});

	it('rejects another group', () => {
		expect(matchesRecoveryKeyGroup(recoveryKey, 5, groups[5] ?? '')).toBe(false);
	});

	it('keeps letter case significant', () => {
		const group = groups[4] ?? '';
		const swapped = group === group.toLowerCase() ? group.toUpperCase() : group.toLowerCase();
		expect(matchesRecoveryKeyGroup(recoveryKey, 5, swapped)).toBe(group === swapped);
	});

	it('rejects a group number past the end', () => {
		expect(matchesRecoveryKeyGroup(recoveryKey, 13, '')).toBe(false);
	});
});

describe('classifyRecoveryInput', () => {
	it('takes a valid key as a key', () => {
		expect(classifyRecoveryInput(recoveryKey)).toEqual({ secret: { recoveryKey } });
	});

	it('takes a valid key without spaces as a key', () => {
		const compact = recoveryKey.replaceAll(' ', '');
		expect(classifyRecoveryInput(compact)).toEqual({ secret: { recoveryKey: compact } });
	});

	it('reports a typo in a key-shaped text', () => {
		expect(classifyRecoveryInput(withTypo(recoveryKey))).toEqual({ problem: 'typo' });
	});

	it('reports a missing group', () => {
		const shortened = recoveryKey.split(' ').slice(0, 11).join(' ');
		expect(classifyRecoveryInput(shortened)).toEqual({ problem: 'wrong_length' });
	});

	it('takes other text as a passphrase, unchanged', () => {
		expect(classifyRecoveryInput(' correct horse battery ')).toEqual({
			secret: { passphrase: ' correct horse battery ' }
		});
	});

	it('reports empty input', () => {
		expect(classifyRecoveryInput('  \n')).toEqual({ problem: 'empty' });
	});
});
