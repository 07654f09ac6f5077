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
