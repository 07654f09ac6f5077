/**
 * The state the scenarios share in one run: the Synapse, the web server, the
 * browser, and the accounts and rooms seeded so far. Each piece is made on
 * first use, so any subset of scenarios can run on its own.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import type { SynapseServer } from '../../scripts/lib/synapse-server.ts';
import { newAppContext, signInThroughForm } from './browser.ts';
import {
	createJoinedCareRoom,
	registerAccounts,
	startSeedingClient,
	stopSeedingClient,
	type Account
} from './seeding.ts';

/** Sizes of one run: full, or tiny for `--quick`. */
export interface BenchSizes {
	runs: number;
	latencyMessages: number;
	historyMessages: number;
	historyPageBack: number;
	busyRooms: number;
	messagesPerBusyRoom: number;
	notes: number;
	searchMessages: number;
}

export const FULL_SIZES: BenchSizes = {
	runs: 5,
	latencyMessages: 200,
	historyMessages: 10_000,
	historyPageBack: 2_000,
	busyRooms: 300,
	messagesPerBusyRoom: 2,
	notes: 1_000,
	searchMessages: 10_000
};

export const QUICK_SIZES: BenchSizes = {
	runs: 1,
	latencyMessages: 10,
	historyMessages: 150,
	historyPageBack: 60,
	busyRooms: 8,
	messagesPerBusyRoom: 1,
	notes: 20,
	searchMessages: 1_000
};

/** An account signed in through the form in its own browser context. */
export interface BrowserAccount {
	account: Account;
	context: BrowserContext;
}

/** Everything a scenario needs, made lazily and shared across scenarios. */
export class BenchWorld {
	readonly synapse: SynapseServer;
	readonly webUrl: string;
	readonly browser: Browser;
	readonly sizes: BenchSizes;
	readonly quick: boolean;
	/** Writes one progress line. */
	readonly log: (message: string) => void;
	readonly #contexts: BrowserContext[] = [];
	#therapist: Promise<BrowserAccount> | undefined;
	#client: Promise<BrowserAccount> | undefined;
	#careRoomId: Promise<string> | undefined;

	constructor(options: {
		synapse: SynapseServer;
		webUrl: string;
		browser: Browser;
		sizes: BenchSizes;
		quick: boolean;
		log: (message: string) => void;
	}) {
		this.synapse = options.synapse;
		this.webUrl = options.webUrl;
		this.browser = options.browser;
		this.sizes = options.sizes;
		this.quick = options.quick;
		this.log = options.log;
	}

	/** Opens a browser context that {@link close} closes. */
	async newContext(): Promise<BrowserContext> {
		const context = await newAppContext(this.browser, this.webUrl);
		this.#contexts.push(context);
		return context;
	}

	/** Registers an account and signs it in through the form in a new context. */
	async signedInAccount(role: string): Promise<BrowserAccount> {
		const [account] = await registerAccounts(this.synapse, role, 1);
		const context = await this.newContext();
		const page = await context.newPage();
		await signInThroughForm(page, account as Account);
		await page.close();
		return { account: account as Account, context };
	}

	/** The therapist of the care room, signed in in the browser. */
	therapist(): Promise<BrowserAccount> {
		this.#therapist ??= this.signedInAccount('therapist');
		return this.#therapist;
	}

	/** The client of the care room, signed in in the browser. */
	client(): Promise<BrowserAccount> {
		this.#client ??= this.signedInAccount('client');
		return this.#client;
	}

	/**
	 * The care room of the therapist and the client. Both browser devices
	 * exist before it is created, so they receive the keys of every message.
	 */
	careRoomId(): Promise<string> {
		this.#careRoomId ??= (async () => {
			const therapist = await this.therapist();
			const client = await this.client();
			const seeder = await startSeedingClient(this.synapse, therapist.account);
			try {
				const roomId = await createJoinedCareRoom(this.synapse, seeder, client.account);
				await seeder.sendTextMessage(roomId, 'Welcome to your care room.');
				return roomId;
			} finally {
				await stopSeedingClient(seeder);
			}
		})();
		return this.#careRoomId;
	}

	/** Closes every browser context opened through this world. */
	async close(): Promise<void> {
		await Promise.all(this.#contexts.map((context) => context.close().catch(() => undefined)));
	}
}
