import {
	checkRecoveryKeyFormat,
	type RecoveryKeyProblem,
	type RecoverySecret
} from '../matrix/crypto/recovery.ts';

/**
 * Splits a recovery key into its groups of four characters, the way the
 * Matrix key representation prints it.
 */
export function recoveryKeyGroups(recoveryKey: string): string[] {
	return recoveryKey.replace(/\s+/g, '').match(/.{1,4}/g) ?? [];
}

/**
 * Picks the group that the user types back to show that they saved the key.
 * The first group is never asked for: its first two characters are the same
 * in every key (the encoded prefix), so it proves less than the others.
 *
 * @param random - A number in [0, 1), `Math.random()` outside tests.
 * @returns A 1-based group number.
 */
export function pickConfirmationGroup(groupCount: number, random: number): number {
	if (groupCount < 2) return 1;
	return 2 + Math.floor(random * (groupCount - 1));
}

/** Checks a typed group against the key. Spaces are ignored; letter case is not. */
export function matchesRecoveryKeyGroup(
	recoveryKey: string,
	groupNumber: number,
	typed: string
): boolean {
	const expected = recoveryKeyGroups(recoveryKey)[groupNumber - 1];
	return expected !== undefined && typed.replace(/\s+/g, '') === expected;
}

/** What the user typed into the "recovery key or passphrase" field. */
export type RecoveryInput =
	{ secret: RecoverySecret } | { problem: Exclude<RecoveryKeyProblem, 'empty'> | 'empty' };

/**
 * Looks like a printed recovery key: groups of four base58 characters
 * separated by spaces. Anything else the user types is taken as a passphrase.
 */
const keyShapePattern = /^([1-9A-HJ-NP-Za-km-z]{4}\s+){4,}[1-9A-HJ-NP-Za-km-z]{1,4}$/;

/**
 * Decides whether the typed text is a recovery key or a passphrase. Text in
 * the printed shape of a key is checked as a key, so a mistyped key gets a
 * precise message instead of "wrong passphrase"; a 48-character key typed
 * without spaces is recognised too.
 */
export function classifyRecoveryInput(input: string): RecoveryInput {
	const trimmed = input.trim();
	if (trimmed === '') return { problem: 'empty' };
	const keyProblem = checkRecoveryKeyFormat(trimmed);
	if (keyProblem === null) return { secret: { recoveryKey: trimmed } };
	if (keyShapePattern.test(trimmed)) return { problem: keyProblem };
	return { secret: { passphrase: input } };
}
