/**
 * Quick insert of a message from the care room into a note field. The quote
 * is plain text, like the rest of the note: each line of the message marked
 * with "> ", then who wrote it and when.
 */
import { localDate } from './note-list.ts';

/** A message offered for quoting. */
export interface QuotableMessage {
	senderLabel: string;
	/** `origin_server_ts` of the message, in milliseconds. */
	timestamp: number;
	body: string;
}

/** Returns the text that quotes a message. */
export function formatQuote(message: QuotableMessage): string {
	const time = new Date(message.timestamp);
	const clock = `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`;
	const lines = message.body
		.trim()
		.split(/\r?\n/)
		.map((line) => `> ${line}`);
	return [...lines, `(${message.senderLabel}, ${localDate(message.timestamp)} ${clock})`].join(
		'\n'
	);
}

/**
 * Inserts a block of text into `text` in place of the selection from `start`
 * to `end`, on lines of its own, and returns the new text and the cursor
 * position after the block.
 */
export function insertBlock(
	text: string,
	start: number,
	end: number,
	block: string
): { text: string; cursor: number } {
	const from = Math.max(0, Math.min(start, text.length));
	const to = Math.max(from, Math.min(end, text.length));
	const before = text.slice(0, from);
	const after = text.slice(to);
	const lead = before === '' || before.endsWith('\n') ? '' : '\n';
	const trail = after.startsWith('\n') ? '' : '\n';
	const inserted = `${lead}${block}${trail}`;
	return { text: before + inserted + after, cursor: before.length + inserted.length };
}
