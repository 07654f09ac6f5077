import { getContext, setContext } from 'svelte';
import { checkUnlockPassword, type UnlockVerifier } from '../browser/unlock-verifier.ts';
import { logger } from '../matrix/logger.ts';
import type { SessionState } from './session.svelte.ts';

/** Vault entry with the time of the last user activity, in ms since the epoch. */
export const LAST_ACTIVITY_ENTRY = 'last-activity';
/** Vault entry with the PBKDF2 verifier of the unlock password. */
export const UNLOCK_VERIFIER_ENTRY = 'unlock-verifier';

/** Wrong unlock passwords in a row after which the device signs out. */
export const MAX_UNLOCK_ATTEMPTS = 5;

const activityEvents = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
const CHECK_INTERVAL_MS = 1_000;
const PERSIST_INTERVAL_MS = 30_000;

/**
 * Locks the screen after a period without activity and signs out after a
 * longer one, as a shared or unattended computer needs. While locked, the
 * signed-in screens are not rendered, so no decrypted text, name or room
 * label stays in the page; sync goes on so nothing is missed.
 */
export class InactivityGuard {
	locked = $state(false);
	failedAttempts = $state(0);
	readonly #session: SessionState;
	readonly #lockAfterMs: number;
	readonly #signOutAfterMs: number;
	#lastActivity = Date.now();
	#lastPersisted = 0;

	constructor(
		session: SessionState,
		limits: { lockAfterSeconds: number; signOutAfterSeconds: number }
	) {
		this.#session = session;
		this.#lockAfterMs = limits.lockAfterSeconds * 1000;
		this.#signOutAfterMs = limits.signOutAfterSeconds * 1000;
	}

	readonly #onActivity = (): void => {
		if (this.locked) return;
		this.#lastActivity = Date.now();
	};

	/**
	 * Applies the limits to the time since the activity recorded by an earlier
	 * page load, so closing the tab does not escape them.
	 */
	async resume(): Promise<void> {
		const stored = await this.#session.vault?.get(LAST_ACTIVITY_ENTRY);
		if (typeof stored !== 'number') return;
		this.#lastActivity = stored;
		this.#check();
	}

	/** Starts watching for activity; returns the function that stops it. */
	watch(): () => void {
		for (const name of activityEvents)
			window.addEventListener(name, this.#onActivity, { passive: true });
		const timer = setInterval(() => this.#check(), CHECK_INTERVAL_MS);
		return () => {
			for (const name of activityEvents) window.removeEventListener(name, this.#onActivity);
			clearInterval(timer);
		};
	}

	#check(): void {
		const idleMs = Date.now() - this.#lastActivity;
		if (idleMs >= this.#signOutAfterMs) {
			logger.info('Signing out after inactivity');
			void this.#session.signOut();
			return;
		}
		if (!this.locked && idleMs >= this.#lockAfterMs) {
			logger.info('Locking after inactivity');
			this.locked = true;
		}
		if (Date.now() - this.#lastPersisted > PERSIST_INTERVAL_MS) {
			this.#lastPersisted = Date.now();
			this.#session.vault
				?.put(LAST_ACTIVITY_ENTRY, this.#lastActivity)
				.catch((error: unknown) => logger.warn('Could not store the last activity', error));
		}
	}

	/** Locks at once, for a "lock now" button. */
	lock(): void {
		this.locked = true;
	}

	/**
	 * Unlocks with the account password, checked on the device. After
	 * {@link MAX_UNLOCK_ATTEMPTS} wrong passwords in a row the device signs out.
	 *
	 * @returns true if the screen is unlocked.
	 */
	async unlock(password: string): Promise<boolean> {
		const verifier = (await this.#session.vault?.get(UNLOCK_VERIFIER_ENTRY)) as
			UnlockVerifier | undefined;
		if (verifier && (await checkUnlockPassword(password, verifier))) {
			this.locked = false;
			this.failedAttempts = 0;
			this.#lastActivity = Date.now();
			return true;
		}
		this.failedAttempts += 1;
		if (!verifier || this.failedAttempts >= MAX_UNLOCK_ATTEMPTS) {
			logger.warn('Signing out after failed unlock attempts', this.failedAttempts);
			await this.#session.signOut();
		}
		return false;
	}
}

const INACTIVITY_KEY = Symbol('alcove.inactivity');

/** Makes the inactivity guard available to every component below the caller. */
export function setInactivityGuard(guard: InactivityGuard): InactivityGuard {
	return setContext(INACTIVITY_KEY, guard);
}

/** Returns the inactivity guard set by the root layout. */
export function useInactivityGuard(): InactivityGuard {
	return getContext<InactivityGuard>(INACTIVITY_KEY);
}
