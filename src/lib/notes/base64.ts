/**
 * Strict base64 helpers for key material and ciphertext. Decoding rejects any
 * character outside the alphabet, so a damaged event fails here with a clear
 * reason instead of decoding to other bytes.
 */

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
const base64UrlPattern = /^[A-Za-z0-9_-]*$/;

function bytesToBinary(bytes: Uint8Array): string {
	// String.fromCharCode(...bytes) overflows the call stack for large arrays.
	let binary = '';
	const chunkSize = 0x8000;
	for (let offset = 0; offset < bytes.length; offset += chunkSize) {
		binary += String.fromCharCode(...bytes.subarray(offset, offset + chunkSize));
	}
	return binary;
}

/** Encodes bytes as unpadded standard base64, the encoding Matrix uses for binary fields. */
export function encodeBase64(bytes: Uint8Array): string {
	return btoa(bytesToBinary(bytes)).replace(/=+$/, '');
}

/**
 * Decodes padded or unpadded standard base64.
 *
 * @throws TypeError if `text` contains a character outside the base64 alphabet
 *   or has an impossible length.
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
	if (!base64Pattern.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
		throw new TypeError('Invalid base64');
	}
	const binary = atob(text.replace(/=+$/, ''));
	const bytes = new Uint8Array(binary.length);
	for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
	return bytes;
}

/** Encodes bytes as unpadded base64url (RFC 4648 section 5), safe in URLs and state keys. */
export function encodeBase64Url(bytes: Uint8Array): string {
	return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_');
}

/** Returns true if `text` is unpadded base64url that encodes exactly `byteLength` bytes. */
export function isBase64UrlOfLength(text: string, byteLength: number): boolean {
	return base64UrlPattern.test(text) && text.length === Math.ceil((byteLength * 4) / 3);
}

/** Returns `byteLength` random bytes as unpadded base64url. */
export function randomBase64Url(byteLength: number): string {
	return encodeBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(byteLength)));
}
