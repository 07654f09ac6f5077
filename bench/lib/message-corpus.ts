/**
 * Deterministic message text for seeding: the same seed gives the same
 * messages on every run, so runs compare. Words are drawn with a Zipf-like
 * skew (a few words are common, most are rare), as in real conversation,
 * which matters for search.
 */

const WORDS = `i you the and to a of it that is was my me in this for with have but not so
what about how feel felt think today week yesterday morning evening night sleep slept tired
work job boss colleague meeting deadline family mother father sister brother partner friend
friends children child school home house walk walked breathing exercise exercises journal wrote
anxious anxiety calm calmer worry worried stress stressed panic sad sadness angry anger happy
relief grateful lonely alone overwhelmed better worse again still maybe really little more less
session sessions appointment thursday monday tuesday wednesday friday weekend next last time
talk talked remember noticed trying tried try helped help plan goal goals progress step steps
small thoughts thought pattern patterns trigger triggers body heart racing chest tight shoulders
head headache appetite ate eating food coffee tea rain sun outside park bus train late early
phone message call called text reply answer question questions notes homework practice practiced
mindful mindfulness grounding boundaries boundary conflict argument apology forgive forgave
memory memories dream dreams nightmare childhood past future hope hopeful scared fear fears
medication doctor appointment pharmacy dose changed change changes routine schedule
`
	.split(/\s+/)
	.filter(Boolean);

/** A small, fast pseudo-random generator (mulberry32); returns values in [0, 1). */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
	};
}

/** Picks a word index with probability falling as 1 / (rank + 1). */
function zipfIndex(random: () => number, count: number): number {
	// Inverse of the continuous 1/x distribution over [1, count + 1).
	const index = Math.floor(Math.exp(random() * Math.log(count + 1))) - 1;
	return Math.min(count - 1, Math.max(0, index));
}

/**
 * Returns `count` message bodies of 4 to 40 words. Each starts with its
 * number, so every body is unique and the newest can be recognised.
 */
export function messageBodies(count: number, seed = 1, label = 'Message'): string[] {
	const random = seededRandom(seed);
	const bodies: string[] = [];
	for (let index = 0; index < count; index++) {
		const length = 4 + Math.floor(random() * random() * 37);
		const words: string[] = [];
		for (let word = 0; word < length; word++)
			words.push(WORDS[zipfIndex(random, WORDS.length)] as string);
		bodies.push(`${label} ${index + 1}: ${words.join(' ')}.`);
	}
	return bodies;
}

/** The vocabulary, for choosing search queries of known frequency. */
export const corpusWords: readonly string[] = WORDS;
