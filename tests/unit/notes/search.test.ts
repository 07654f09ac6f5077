import { describe, expect, it } from 'vitest';
import { NotesSearchIndex, tokenize } from '../../../src/lib/notes/search.ts';
import { CLIENT, makeNote, OTHER_CLIENT } from './note-fixtures.ts';

function freeNote(text: string, clientUserId = CLIENT, updatedAt = 1_790_000_100_000) {
	return makeNote({ clientUserId, template: { type: 'free', text }, title: '', updatedAt });
}

describe('tokenize', () => {
	it('splits into lower-case words without accents', () => {
		expect(tokenize('Café-Besuch, ÜBER 3 Tage!')).toEqual(['cafe', 'besuch', 'uber', '3', 'tage']);
	});
});

describe('NotesSearchIndex', () => {
	it('finds a note by a word prefix', () => {
		const index = new NotesSearchIndex();
		index.set('a', freeNote('Anxiety before exams'));
		index.set('b', freeNote('Talked about the holidays'));

		expect(index.search('anx').map((hit) => hit.noteId)).toEqual(['a']);
	});

	it('requires every query word', () => {
		const index = new NotesSearchIndex();
		index.set('a', freeNote('sleep and appetite'));
		index.set('b', freeNote('sleep only'));

		expect(index.search('sleep appetite').map((hit) => hit.noteId)).toEqual(['a']);
		expect(index.search('sleep nightmares')).toEqual([]);
	});

	it('searches one client or all', () => {
		const index = new NotesSearchIndex();
		index.set('a', freeNote('grief after the move', CLIENT));
		index.set('b', freeNote('grief and anger', OTHER_CLIENT));

		expect(index.search('grief', { clientUserId: CLIENT }).map((hit) => hit.noteId)).toEqual(['a']);
		expect(
			index
				.search('grief')
				.map((hit) => hit.noteId)
				.sort()
		).toEqual(['a', 'b']);
	});

	it('ranks more occurrences first, then newer notes', () => {
		const index = new NotesSearchIndex();
		index.set('once', freeNote('panic', CLIENT, 3000));
		index.set('twice', freeNote('panic, then panic again', CLIENT, 1000));
		index.set('once-older', freeNote('panic', CLIENT, 2000));

		expect(index.search('panic').map((hit) => hit.noteId)).toEqual(['twice', 'once', 'once-older']);
	});

	it('searches titles, template fields, goals and addenda', () => {
		const index = new NotesSearchIndex();
		index.set(
			'plan',
			makeNote({
				title: 'Quarterly review',
				template: { type: 'dap', data: 'data', assessment: 'improving', plan: 'continue' },
				goals: [
					{
						id: 'g1',
						description: 'Return to swimming',
						status: 'in_progress',
						targetDate: null,
						interventions: ['Graded exposure'],
						reviewDates: []
					}
				],
				addenda: [
					{ reason: 'Late entry', text: 'Phone call on Friday', createdAt: 1_790_000_200_000 }
				]
			})
		);

		for (const query of ['quarterly', 'improving', 'swimming', 'graded', 'late', 'friday']) {
			expect(
				index.search(query).map((hit) => hit.noteId),
				query
			).toEqual(['plan']);
		}
	});

	it('forgets a replaced or removed note', () => {
		const index = new NotesSearchIndex();
		index.set('a', freeNote('insomnia'));
		index.set('a', freeNote('nightmares'));

		expect(index.search('insomnia')).toEqual([]);
		expect(index.search('nightmares')).toHaveLength(1);

		index.remove('a');

		expect(index.search('nightmares')).toEqual([]);
		expect(index.size).toBe(0);
	});

	it('returns nothing for a query without words', () => {
		const index = new NotesSearchIndex();
		index.set('a', freeNote('anything'));

		expect(index.search('  ,;  ')).toEqual([]);
	});

	it('indexes and searches 1,000 notes', () => {
		const words = ['anxiety', 'sleep', 'work', 'family', 'grief', 'panic', 'school', 'exercise'];
		const notes = Array.from({ length: 1000 }, (_, n) =>
			freeNote(
				Array.from({ length: 300 }, (_, w) => words[(n * 7 + w * 3) % words.length]).join(' ') +
					` marker${n}`,
				n % 2 === 0 ? CLIENT : OTHER_CLIENT
			)
		);
		const index = new NotesSearchIndex();

		const indexStart = performance.now();
		notes.forEach((note, n) => index.set(`note${n}`, note));
		const indexMs = performance.now() - indexStart;
		const searchStart = performance.now();
		const hits = index.search('anx sle');
		const single = index.search('marker517');
		const searchMs = performance.now() - searchStart;

		// Measured, not asserted: the numbers go to the test output for docs/notes.md.
		console.info(
			`Search benchmark: indexed 1000 notes of 300 words in ${indexMs.toFixed(1)} ms, ` +
				`two searches in ${searchMs.toFixed(2)} ms`
		);
		expect(index.size).toBe(1000);
		expect(hits.length).toBeGreaterThan(0);
		expect(single.map((hit) => hit.noteId)).toEqual(['note517']);
	});
});
