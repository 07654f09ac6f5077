import { describe, expect, it } from 'vitest';
import { AlcoveError } from '../../../src/lib/matrix/errors.ts';
import {
	assertContentFits,
	contentSize,
	MAX_CONTENT_BYTES
} from '../../../src/lib/timeline/message-size.ts';

describe('assertContentFits', () => {
	it('accepts a message at the limit', () => {
		const overhead = contentSize({ body: '' });

		expect(() =>
			assertContentFits({ body: 'x'.repeat(MAX_CONTENT_BYTES - overhead) })
		).not.toThrow();
	});

	it('rejects a message over the limit', () => {
		expect(() => assertContentFits({ body: 'x'.repeat(MAX_CONTENT_BYTES) })).toThrow(AlcoveError);
	});

	it('counts bytes, not characters', () => {
		expect(contentSize({ body: 'é' })).toBe(contentSize({ body: 'ee' }));
	});
});
