/**
 * On-device full-text search over decrypted message bodies, in two versions
 * that return the same hits: a linear scan and an inverted index. The app
 * has no search yet; the benchmark measures both, and the app can adopt the
 * index. Decrypted text never leaves the device, so the server cannot help.
 *
 * Matching: the query is split into words; a message matches when every
 * query word is the start of some word of the message (so "anx" finds
 * "anxious"). Case and accents are ignored. Hits are message positions,
 * newest (highest position) first.
 *
 * This file has no imports, so the benchmark can load it into a page as it
 * is, with only its types stripped.
 */

/** Splits text into lower-case words without accents. */
export function tokenize(text: string): string[] {
	return (
		text
			.normalize('NFKD')
			// Combining marks left by NFKD, so "é" matches "e".
			.replace(/\p{M}/gu, '')
			.toLowerCase()
			.match(/[\p{L}\p{N}]+/gu) ?? []
	);
}

/** Query words, deduplicated, with words that are the start of another query word dropped. */
function queryWords(query: string): string[] {
	const words = [...new Set(tokenize(query))];
	return words.filter((word) => !words.some((other) => other !== word && other.startsWith(word)));
}

/** Search by reading every message on each query; building it only normalises the text. */
export class LinearScan {
	readonly #documents: string[];

	constructor(bodies: readonly string[]) {
		// A leading space lets " word" find a word start anywhere in the text.
		this.#documents = bodies.map((body) => ` ${tokenize(body).join(' ')}`);
	}

	/** Returns the positions of matching messages, newest first, at most `limit`. */
	search(query: string, limit = 50): number[] {
		const needles = queryWords(query).map((word) => ` ${word}`);
		if (needles.length === 0) return [];
		const hits: number[] = [];
		for (let position = this.#documents.length - 1; position >= 0; position--) {
			const document = this.#documents[position] as string;
			if (needles.every((needle) => document.includes(needle))) {
				hits.push(position);
				if (hits.length >= limit) break;
			}
		}
		return hits;
	}
}

/**
 * Search through an inverted index: for each word, the ascending positions
 * of the messages that contain it. A prefix query reads the postings of
 * every word in a range of the sorted vocabulary, found by binary search.
 */
export class InvertedIndex {
	readonly #postings = new Map<string, number[]>();
	#vocabulary: string[] = [];
	#size = 0;

	constructor(bodies: readonly string[] = []) {
		for (const body of bodies) this.add(body);
		this.#sortVocabulary();
	}

	/** Number of messages indexed. */
	get size(): number {
		return this.#size;
	}

	/** Indexes one more message, the newest, and returns its position. */
	add(body: string): number {
		const position = this.#size++;
		for (const word of new Set(tokenize(body))) {
			const list = this.#postings.get(word);
			if (list) list.push(position);
			else this.#postings.set(word, [position]);
		}
		return position;
	}

	/** Sorts the vocabulary again if words were added since; deferred to the next search. */
	#sortVocabulary(): void {
		if (this.#vocabulary.length === this.#postings.size) return;
		this.#vocabulary = [...this.#postings.keys()].sort();
	}

	/** Index of the first vocabulary word that is not less than `word`. */
	#lowerBound(word: string): number {
		let low = 0;
		let high = this.#vocabulary.length;
		while (low < high) {
			const middle = (low + high) >>> 1;
			if ((this.#vocabulary[middle] as string) < word) low = middle + 1;
			else high = middle;
		}
		return low;
	}

	/** Positions of messages with a word that starts with `prefix`, ascending. */
	#prefixPositions(prefix: string): Set<number> {
		const positions = new Set<number>();
		for (let index = this.#lowerBound(prefix); index < this.#vocabulary.length; index++) {
			const word = this.#vocabulary[index] as string;
			if (!word.startsWith(prefix)) break;
			for (const position of this.#postings.get(word) ?? []) positions.add(position);
		}
		return positions;
	}

	/** Returns the positions of matching messages, newest first, at most `limit`. */
	search(query: string, limit = 50): number[] {
		const words = queryWords(query);
		if (words.length === 0) return [];
		this.#sortVocabulary();
		// Intersect starting from the rarest word, so the candidate set stays small.
		const sets = words.map((word) => this.#prefixPositions(word)).sort((a, b) => a.size - b.size);
		const [smallest, ...others] = sets as [Set<number>, ...Set<number>[]];
		const hits = [...smallest].filter((position) => others.every((set) => set.has(position)));
		return hits.sort((a, b) => b - a).slice(0, limit);
	}
}
