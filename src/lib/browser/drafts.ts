import { logger } from '../matrix/logger.ts';
import type { LocalVault } from './local-vault.ts';

const SAVE_DELAY_MS = 400;

/**
 * The composer draft of one room, kept encrypted in the device's vault so it
 * survives a reload without lying in plaintext on disk.
 */
export class DraftStore {
	readonly #vault: LocalVault | undefined;
	readonly #name: string;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(vault: LocalVault | undefined, roomId: string) {
		this.#vault = vault;
		this.#name = `draft:${roomId}`;
	}

	/** Returns the saved draft, or undefined if there is none or it cannot be read. */
	async load(): Promise<string | undefined> {
		try {
			const value = await this.#vault?.get(this.#name);
			return typeof value === 'string' ? value : undefined;
		} catch (error) {
			logger.warn('Could not read the draft', error);
			return undefined;
		}
	}

	/** Saves the draft shortly after typing pauses; an empty text deletes it. */
	save(text: string): void {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			const write =
				text === '' ? this.#vault?.delete(this.#name) : this.#vault?.put(this.#name, text);
			write?.catch((error: unknown) => logger.warn('Could not save the draft', error));
		}, SAVE_DELAY_MS);
	}
}
