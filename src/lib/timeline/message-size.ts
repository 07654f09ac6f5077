import { AlcoveError } from '../matrix/errors.ts';

/**
 * Largest plaintext message content, in bytes of JSON, that Alcove sends.
 *
 * The Matrix specification caps a whole event at 65,536 bytes
 * (https://spec.matrix.org/v1.16/client-server-api/#size-limits). Megolm
 * encrypts the serialised plaintext event and base64 encodes the result, which
 * adds about a third, and the envelope adds session, device and sender keys.
 * 45,000 bytes of content therefore stays under the limit with room to spare;
 * it is an estimate from those sizes, not a value the server reports.
 */
export const MAX_CONTENT_BYTES = 45_000;

/** Returns the size of the content once serialised, in bytes. */
export function contentSize(content: object): number {
	return new TextEncoder().encode(JSON.stringify(content)).length;
}

/**
 * Throws `event_too_large` if the content would exceed the server's event size
 * limit once encrypted, so the text can stay in the composer instead of
 * failing after it was cleared.
 */
export function assertContentFits(content: object): void {
	const size = contentSize(content);
	if (size > MAX_CONTENT_BYTES) {
		throw new AlcoveError(
			'event_too_large',
			`The message is ${size} bytes; at most ${MAX_CONTENT_BYTES} can be sent`
		);
	}
}
