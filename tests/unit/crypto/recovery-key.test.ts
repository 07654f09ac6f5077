import fc from 'fast-check';
import { encodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api';
import { describe, expect, it } from 'vitest';
import { AlcoveError } from '../../../src/lib/matrix/errors.ts';
import {
	checkRecoveryKeyFormat,
	parseRecoveryKey
} from '../../../src/lib/matrix/crypto/recovery.ts';

function encode(key: Uint8Array): string {
	const encoded = encodeRecoveryKey(key);
	if (!encoded) throw new Error('encodeRecoveryKey returned nothing');
	return encoded;
}

const sampleKey = Uint8Array.from({ length: 32 }, (_, index) => index * 7);
const sample = encode(sampleKey);

describe('checkRecoveryKeyFormat', () => {
	it('accepts an encoded key', () => {
		expect(checkRecoveryKeyFormat(sample)).toBeNull();
	});

	it('ignores spaces and line breaks', () => {
		expect(checkRecoveryKeyFormat(`\n ${sample.replaceAll(' ', '\n')}\t`)).toBeNull();
	});

	it.each([
		['', 'empty'],
		['   ', 'empty'],
		[sample.replace(/\S/, '0'), 'invalid_characters'],
		[`${sample}!`, 'invalid_characters'],
		[sample.slice(0, 20), 'wrong_length'],
		[`${sample}abcd`, 'wrong_length']
	])('reports %j as %s', (input, problem) => {
		expect(checkRecoveryKeyFormat(input)).toBe(problem);
	});

	it('reports a changed character as a typo', () => {
		const compact = sample.replaceAll(' ', '');
		const replacement = compact[20] === 'a' ? 'b' : 'a';
		const typo = `${compact.slice(0, 20)}${replacement}${compact.slice(21)}`;

		expect(checkRecoveryKeyFormat(typo)).toBe('typo');
	});
});

describe('parseRecoveryKey', () => {
	it('decodes every 32-byte key it was given', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
				expect(parseRecoveryKey(encode(key))).toEqual(Uint8Array.from(key));
			})
		);
	});

	it('accepts the smallest and largest keys', () => {
		for (const fill of [0, 255]) {
			const key = new Uint8Array(32).fill(fill);

			expect(parseRecoveryKey(encode(key))).toEqual(key);
		}
	});

	it('throws invalid_recovery_key with the problem', () => {
		let caught: unknown;
		try {
			parseRecoveryKey('EsTc 1234');
		} catch (error) {
			caught = error;
		}

		expect(caught).toBeInstanceOf(AlcoveError);
		expect(caught).toMatchObject({ code: 'invalid_recovery_key' });
		expect((caught as Error).message).toContain('wrong_length');
	});
});
