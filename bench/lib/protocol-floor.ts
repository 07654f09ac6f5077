/**
 * The protocol's own floor for message latency: a bare script with no
 * crypto and no interface. It sends with a plain `PUT /send` and receives
 * with a `/sync` long poll, so what it measures is Synapse, HTTP and the
 * sync fan-out, which no client can be faster than.
 */
import { performance } from 'node:perf_hooks';
import { matrixRequest, type Account } from './seeding.ts';

interface SyncResponse {
	next_batch: string;
	rooms?: {
		join?: Record<string, { timeline?: { events?: { content?: { body?: unknown } }[] } }>;
	};
}

/** A `/sync` long-poll loop of one account that notes when each message body arrives. */
export class FloorReceiver {
	readonly #baseUrl: string;
	readonly #account: Account;
	readonly #roomId: string;
	readonly #arrivals = new Map<string, number>();
	readonly #waiters = new Map<string, (arrivedAt: number) => void>();
	readonly #abort = new AbortController();
	#since: string | undefined;
	#loop: Promise<void> | undefined;

	constructor(baseUrl: string, account: Account, roomId: string) {
		this.#baseUrl = baseUrl;
		this.#account = account;
		this.#roomId = roomId;
	}

	/** Runs one initial sync, so later syncs return only new events, then starts the loop. */
	async start(): Promise<void> {
		const initial = await this.#sync(0);
		this.#since = initial.next_batch;
		this.#loop = this.#run();
	}

	async #sync(timeoutMs: number): Promise<SyncResponse> {
		const filter = JSON.stringify({
			presence: { types: [] },
			account_data: { types: [] },
			room: {
				rooms: [this.#roomId],
				timeline: { limit: 100, types: ['m.room.message'] },
				state: { types: [] },
				ephemeral: { types: [] },
				account_data: { types: [] }
			}
		});
		const query = new URLSearchParams({ timeout: String(timeoutMs), filter });
		if (this.#since) query.set('since', this.#since);
		const response = await fetch(`${this.#baseUrl}/_matrix/client/v3/sync?${query}`, {
			headers: { Authorization: `Bearer ${this.#account.accessToken}` },
			signal: this.#abort.signal
		});
		if (!response.ok) throw new Error(`Floor /sync failed with HTTP ${response.status}`);
		return (await response.json()) as SyncResponse;
	}

	async #run(): Promise<void> {
		while (!this.#abort.signal.aborted) {
			let body: SyncResponse;
			try {
				body = await this.#sync(30_000);
			} catch (error) {
				if (this.#abort.signal.aborted) return;
				throw error;
			}
			const arrivedAt = performance.now();
			this.#since = body.next_batch;
			for (const event of body.rooms?.join?.[this.#roomId]?.timeline?.events ?? []) {
				const text = event.content?.body;
				if (typeof text !== 'string') continue;
				this.#arrivals.set(text, arrivedAt);
				this.#waiters.get(text)?.(arrivedAt);
				this.#waiters.delete(text);
			}
		}
	}

	/** Resolves with `performance.now()` at the arrival of `body`, which may already have arrived. */
	arrival(body: string): Promise<number> {
		const known = this.#arrivals.get(body);
		if (known !== undefined) return Promise.resolve(known);
		return new Promise((resolve) => this.#waiters.set(body, resolve));
	}

	/** Ends the long poll. */
	async stop(): Promise<void> {
		this.#abort.abort();
		await this.#loop?.catch(() => undefined);
	}
}

/** Sends an unencrypted text message with a plain `PUT /send` and returns its event ID. */
export async function sendPlainMessage(
	baseUrl: string,
	account: Account,
	roomId: string,
	transactionId: string,
	body: string
): Promise<string> {
	const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${encodeURIComponent(transactionId)}`;
	const { event_id: eventId } = await matrixRequest<{ event_id: string }>(
		baseUrl,
		account.accessToken,
		'PUT',
		path,
		{ msgtype: 'm.text', body }
	);
	return eventId;
}
