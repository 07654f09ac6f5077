import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { e2eEnvironment } from './environment.ts';

/**
 * Phrases that browser tests type as messages, drafts and notes. Each is
 * recorded beside (not inside) the Synapse data folder, so that the test of
 * what the server keeps can look for every one of them in its files.
 */
function phrasesFile(): string {
	return `${e2eEnvironment().synapseDataDir}.typed-phrases`;
}

/**
 * Returns `label` with a random suffix after `separator`, and records it as
 * typed into the app.
 */
export function typedPhrase(label: string, separator = ' '): string {
	const phrase = `${label}${separator}${randomBytes(4).toString('hex')}`;
	appendFileSync(phrasesFile(), `${phrase}\n`);
	return phrase;
}

/** Returns every phrase recorded so far by the tests of this run. */
export function recordedPhrases(): string[] {
	if (!existsSync(phrasesFile())) return [];
	return readFileSync(phrasesFile(), 'utf8').split('\n').filter(Boolean);
}
