/**
 * On-device full-text search over decrypted notes. The index lives in memory
 * only, is built from notes already decrypted on this device, and is never
 * stored or sent anywhere, because it contains the notes' words.
 *
 * Matching: the query and the notes are split into words (letters and
 * digits), lower-cased, with accents removed. A note matches if every query
 * word is the beginning of one of its words, so "anx" finds "anxiety".
 */
import type { Note } from './note-schema.ts';

/** One note that matches a query. */
export interface SearchHit {
	noteId: string;
	clientUserId: string;
	/** Number of occurrences of the matched words; higher is a better match. */
	score: number;
	updatedAt: number;
}

/** Splits text into lower-case words without accents. */
export function tokenize(text: string): string[] {
	return (
		text
			.normalize('NFKD')
			.replace(/\p{M}/gu, '')
			.toLowerCase()
			.match(/[\p{L}\p{N}]+/gu) ?? []
	);
}

/** Returns every searchable text of a note: title, template fields, goals and addenda. */
export function noteSearchText(note: Note): string {
	const templateTexts = Object.entries(note.template)
		.filter(([field]) => field !== 'type')
		.map(([, text]) => text);
	const parts: string[] = [note.title, ...templateTexts];
	for (const goal of note.goals) parts.push(goal.description, ...goal.interventions);
	for (const addendum of note.addenda) parts.push(addendum.reason, addendum.text);
	return parts.join('\n');
}

interface IndexedNote {
	clientUserId: string;
	updatedAt: number;
	termCounts: Map<string, number>;
}

/** An inverted index from words to the notes that contain them. */
export class NotesSearchIndex {
	readonly #notes = new Map<string, IndexedNote>();
	readonly #postings = new Map<string, Set<string>>();
	/** All indexed words in sorted order, for prefix lookup; rebuilt after a change. */
	#sortedTerms: string[] | undefined;

	/** Number of indexed notes. */
	get size(): number {
		return this.#notes.size;
	}

	/** Indexes a note, replacing any earlier version of it. */
	set(noteId: string, note: Note): void {
		this.remove(noteId);
		const termCounts = new Map<string, number>();
		for (const term of tokenize(noteSearchText(note))) {
			termCounts.set(term, (termCounts.get(term) ?? 0) + 1);
		}
		this.#notes.set(noteId, {
			clientUserId: note.clientUserId,
			updatedAt: note.updatedAt,
			termCounts
		});
		for (const term of termCounts.keys()) {
			let postings = this.#postings.get(term);
			if (!postings) {
				postings = new Set();
				this.#postings.set(term, postings);
				this.#sortedTerms = undefined;
			}
			postings.add(noteId);
		}
	}

	/** Removes a note, for example after it was deleted. */
	remove(noteId: string): void {
		const indexed = this.#notes.get(noteId);
		if (!indexed) return;
		this.#notes.delete(noteId);
		for (const term of indexed.termCounts.keys()) {
			const postings = this.#postings.get(term);
			postings?.delete(noteId);
			if (postings?.size === 0) {
				this.#postings.delete(term);
				this.#sortedTerms = undefined;
			}
		}
	}

	/**
	 * Returns the notes that contain every word of `query` (as a word or the
	 * start of one), best match first, then most recently updated.
	 *
	 * @param options.clientUserId - Search only the notes of this client.
	 */
	search(query: string, options: { clientUserId?: string; limit?: number } = {}): SearchHit[] {
		const queryTerms = [...new Set(tokenize(query))];
		if (queryTerms.length === 0) return [];

		let candidates: Map<string, number> | undefined;
		for (const queryTerm of queryTerms) {
			const matches = new Map<string, number>();
			for (const term of this.#termsWithPrefix(queryTerm)) {
				for (const noteId of this.#postings.get(term) ?? []) {
					if (candidates && !candidates.has(noteId)) continue;
					const count = this.#notes.get(noteId)?.termCounts.get(term) ?? 0;
					matches.set(noteId, (matches.get(noteId) ?? 0) + count);
				}
			}
			candidates = new Map(
				[...matches].map(([noteId, count]) => [noteId, count + (candidates?.get(noteId) ?? 0)])
			);
			if (candidates.size === 0) return [];
		}

		const hits: SearchHit[] = [];
		for (const [noteId, score] of candidates ?? []) {
			const indexed = this.#notes.get(noteId);
			if (!indexed) continue;
			if (options.clientUserId !== undefined && indexed.clientUserId !== options.clientUserId) {
				continue;
			}
			hits.push({
				noteId,
				clientUserId: indexed.clientUserId,
				score,
				updatedAt: indexed.updatedAt
			});
		}
		hits.sort((a, b) => b.score - a.score || b.updatedAt - a.updatedAt);
		return options.limit === undefined ? hits : hits.slice(0, options.limit);
	}

	#termsWithPrefix(prefix: string): string[] {
		this.#sortedTerms ??= [...this.#postings.keys()].sort();
		const terms = this.#sortedTerms;
		let low = 0;
		let high = terms.length;
		while (low < high) {
			const middle = (low + high) >>> 1;
			if ((terms[middle] ?? '') < prefix) low = middle + 1;
			else high = middle;
		}
		const matching: string[] = [];
		for (let index = low; index < terms.length; index++) {
			const term = terms[index] ?? '';
			if (!term.startsWith(prefix)) break;
			matching.push(term);
		}
		return matching;
	}
}
