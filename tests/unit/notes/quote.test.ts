import { describe, expect, it } from 'vitest';
import { formatQuote, insertBlock } from '../../../src/lib/notes/quote.ts';

describe('formatQuote', () => {
	it('marks each line and names the sender', () => {
		const timestamp = new Date(2026, 11, 4, 9, 5).getTime();
		const quote = formatQuote({ senderLabel: 'River', timestamp, body: 'I slept.\nMostly.' });
		expect(quote).toBe('> I slept.\n> Mostly.\n(River, 2026-12-04 09:05)');
	});
});

describe('insertBlock', () => {
	it('inserts into an empty field', () => {
		expect(insertBlock('', 0, 0, 'Q')).toEqual({ text: 'Q\n', cursor: 2 });
	});

	it('puts the block on its own line in the middle of text', () => {
		const result = insertBlock('before after', 6, 7, 'Q');
		expect(result.text).toBe('before\nQ\nafter');
		expect(result.text.slice(0, result.cursor)).toBe('before\nQ\n');
	});

	it('replaces the selection', () => {
		expect(insertBlock('a\nXX\nb', 2, 4, 'Q').text).toBe('a\nQ\nb');
	});

	it('clamps positions outside the text', () => {
		expect(insertBlock('abc', 10, 20, 'Q').text).toBe('abc\nQ\n');
		expect(insertBlock('abc', -5, -1, 'Q').text).toBe('Q\nabc');
	});
});
