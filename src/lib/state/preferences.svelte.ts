import { z } from 'zod';
import type { LocalVault } from '../browser/local-vault.ts';
import { logger } from '../matrix/logger.ts';

const PREFERENCES_ENTRY = 'preferences';

const preferencesSchema = z.object({
	/** Show a browser notification when a message arrives while Alcove is in the background. */
	notifications: z.boolean().default(false),
	/**
	 * Put the sender and the text into the notification. Off by default: the
	 * operating system shows notifications on the lock screen and may keep them.
	 */
	notificationDetails: z.boolean().default(false)
});

export type Preferences = z.infer<typeof preferencesSchema>;

/** This device's preferences, kept encrypted in the vault. */
export class PreferencesState {
	value = $state<Preferences>({ notifications: false, notificationDetails: false });
	readonly #vault: LocalVault | undefined;

	constructor(vault: LocalVault | undefined) {
		this.#vault = vault;
	}

	/** Reads the stored preferences; invalid or missing entries fall back to the defaults. */
	async load(): Promise<void> {
		const parsed = preferencesSchema.safeParse((await this.#vault?.get(PREFERENCES_ENTRY)) ?? {});
		if (parsed.success) this.value = parsed.data;
	}

	/** Changes and stores preferences. */
	async update(change: Partial<Preferences>): Promise<void> {
		this.value = { ...this.value, ...change };
		try {
			await this.#vault?.put(PREFERENCES_ENTRY, $state.snapshot(this.value));
		} catch (error) {
			logger.warn('Could not store the preferences', error);
		}
	}
}
