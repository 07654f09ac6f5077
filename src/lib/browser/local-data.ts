import { logger } from '../matrix/logger.ts';
import { deleteDatabaseWithin } from './idb.ts';
import { LocalVault } from './local-vault.ts';

/** How long one database deletion may take before the page reloads to finish it. */
const DELETION_TIMEOUT_MS = 5_000;

/**
 * Deletes everything Alcove keeps in this browser for this origin: the vault
 * (session and drafts), the Rust crypto store, the SDK's stores, web storage
 * and caches. Used on sign-out, when the server has ended the session, and at
 * a start without a session, to finish a deletion an earlier page left.
 *
 * @returns The names of the databases that a connection still held open; the
 *   caller reloads the page so that they close and the deletion completes.
 */
export async function deleteLocalData(vault: LocalVault | undefined): Promise<string[]> {
	await LocalVault.destroy(vault);

	// Any database left over, including crypto stores of earlier devices whose
	// sign-out was interrupted.
	const blocked: string[] = [];
	for (const { name } of await indexedDB.databases()) {
		if (!name) continue;
		try {
			if (!(await deleteDatabaseWithin(name, DELETION_TIMEOUT_MS))) {
				blocked.push(name);
			}
		} catch (error) {
			logger.warn('Could not delete an IndexedDB database', error);
		}
	}
	localStorage.clear();
	sessionStorage.clear();
	if ('caches' in globalThis) {
		for (const cacheName of await caches.keys()) await caches.delete(cacheName);
	}
	return blocked;
}
