/**
 * Checks the password that unlocks a locked screen, on the device.
 *
 * At sign-in the password is stretched with PBKDF2-SHA-256 and a random salt,
 * and only the result is kept in the vault. Unlocking compares against it, so
 * the lock works without a server round trip and without creating a new
 * device. A password changed on another device keeps unlocking this one
 * until it signs in again.
 */

/** PBKDF2 iterations; OWASP's 2023 guidance for PBKDF2-HMAC-SHA256 is 600,000. */
const ITERATIONS = 600_000;

/** What the vault keeps to check an unlock password. */
export interface UnlockVerifier {
	salt: string;
	hash: string;
	iterations: number;
}

function toBase64(bytes: Uint8Array): string {
	return btoa(String.fromCharCode(...bytes));
}

async function stretch(
	password: string,
	salt: Uint8Array<ArrayBuffer>,
	iterations: number
): Promise<string> {
	const key = await crypto.subtle.importKey(
		'raw',
		new TextEncoder().encode(password),
		'PBKDF2',
		false,
		['deriveBits']
	);
	const bits = await crypto.subtle.deriveBits(
		{ name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
		key,
		256
	);
	return toBase64(new Uint8Array(bits));
}

/** Derives the verifier for a password. */
export async function createUnlockVerifier(password: string): Promise<UnlockVerifier> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	return {
		salt: toBase64(salt),
		hash: await stretch(password, salt, ITERATIONS),
		iterations: ITERATIONS
	};
}

/** Returns true if the password matches the verifier. */
export async function checkUnlockPassword(
	password: string,
	verifier: UnlockVerifier
): Promise<boolean> {
	const salt = Uint8Array.from(atob(verifier.salt), (character) => character.charCodeAt(0));
	const hash = await stretch(password, salt, verifier.iterations);
	// Both are base64 of 32 bytes; compare every character so the time does not
	// depend on where they differ.
	let difference = hash.length ^ verifier.hash.length;
	for (let index = 0; index < hash.length; index++) {
		difference |= hash.charCodeAt(index) ^ (verifier.hash.charCodeAt(index) || 0);
	}
	return difference === 0;
}
