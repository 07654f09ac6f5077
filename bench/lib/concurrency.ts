/** Bounded concurrency and bounded waiting for the benchmark's loops. */

/**
 * Calls `task` for every item with at most `limit` calls in flight, and
 * returns the results in item order. After the first failure no new call
 * starts, and the failure is rethrown once the calls in flight have ended.
 */
export async function mapConcurrent<T, R>(
	items: readonly T[],
	limit: number,
	task: (item: T, index: number) => Promise<R>
): Promise<R[]> {
	if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
	const results = new Array<R>(items.length);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async (): Promise<void> => {
		while (!failure && next < items.length) {
			const index = next++;
			try {
				results[index] = await task(items[index] as T, index);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	if (failure) throw failure.error;
	return results;
}

/** Error of a wait that ran out of time. */
export class TimeoutError extends Error {
	constructor(description: string, timeoutMs: number) {
		super(`Timed out after ${timeoutMs} ms waiting for ${description}`);
		this.name = 'TimeoutError';
	}
}

/** Rejects with TimeoutError if `promise` has not settled within `timeoutMs`. */
export async function withTimeout<T>(
	promise: Promise<T>,
	timeoutMs: number,
	description: string
): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new TimeoutError(description, timeoutMs)), timeoutMs);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Calls `check` every `intervalMs` until it returns a value other than
 * undefined, and returns that value; rejects with TimeoutError after `timeoutMs`.
 */
export async function pollUntil<T>(
	description: string,
	check: () => T | undefined | Promise<T | undefined>,
	options: { timeoutMs: number; intervalMs?: number }
): Promise<T> {
	const deadline = Date.now() + options.timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() >= deadline) throw new TimeoutError(description, options.timeoutMs);
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
	}
}
