import { describe, expect, it } from 'vitest';
import { AlcoveError } from '../../src/lib/matrix/errors.ts';
import { errorMessage } from '../../src/lib/strings.ts';

describe('errorMessage', () => {
	it('gives the wait time of a rate limit', () => {
		const error = new AlcoveError('rate_limited', 'x', { retryAfterMs: 2_500 });

		expect(errorMessage(error)).toBe('Too many attempts. Wait 3 seconds, then try again.');
	});

	it('never shows the text of an unknown error', () => {
		expect(errorMessage(new Error('M_SECRET internal detail'))).not.toContain('M_SECRET');
	});
});
