import { logger } from '../matrix/logger.ts';
import { deleteDatabase } from './idb.ts';
import { LocalVault } from './local-vault.ts';

/**
 * Deletes everything Alcove keeps in this browser for this origin: the vault
 * (session and drafts), the Rust crypto store, the SDK's stores, web storage
 * and caches. Used on sign-out and when the server has ended the session.
 */
export async function deleteLocalData(vault: LocalVault | undefined): Promise<void> {
	await LocalVault.destroy(vault);

	// Any database left over, including crypto stores of earlier devices whose
	// sign-out was interrupted.
	for (const { name } of await indexedDB.databases()) {
		if (!name) continue;
		try {
			await deleteDatabase(name);
		} catch (error) {
			logger.warn('Could not delete an IndexedDB database', error);
		}
	}
	localStorage.clear();
	sessionStorage.clear();
	if ('caches' in globalThis) {
		for (const cacheName of await caches.keys()) await caches.delete(cacheName);
	}
}
