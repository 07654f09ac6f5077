/** Small promise wrappers around IndexedDB requests. */

/** Resolves with the result of an IndexedDB request. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
	});
}

/** Opens (and on first use creates) a database with a single key-value object store. */
export function openKeyValueDatabase(name: string, storeName: string): Promise<IDBDatabase> {
	const request = indexedDB.open(name, 1);
	request.onupgradeneeded = () => {
		request.result.createObjectStore(storeName);
	};
	return requestResult(request);
}

/** Deletes a database; resolves once it is gone, even if another tab had it open and closed it. */
export function deleteDatabase(name: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.deleteDatabase(name);
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error ?? new Error(`Could not delete ${name}`));
	});
}

/**
 * Deletes a database, but stops waiting after `timeoutMs`. Resolves true when
 * the database is gone and false when it was not gone in time, which happens
 * when a connection holds it open (a request queued behind an earlier blocked
 * deletion of the same database gets no blocked event of its own). The browser
 * keeps the request queued and deletes the database once the last connection
 * closes, at the latest when the page unloads.
 */
export function deleteDatabaseWithin(name: string, timeoutMs: number): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => resolve(false), timeoutMs);
		const request = indexedDB.deleteDatabase(name);
		request.onsuccess = () => {
			clearTimeout(timer);
			resolve(true);
		};
		request.onerror = () => {
			clearTimeout(timer);
			reject(request.error ?? new Error(`Could not delete ${name}`));
		};
	});
}
