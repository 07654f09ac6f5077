/** Addresses and secrets of the servers that global setup started. */
export interface E2eEnvironment {
	webUrl: string;
	homeserverUrl: string;
	serverName: string;
	registrationSharedSecret: string;
	synapseDataDir: string;
}

/** Returns the environment written by global setup. */
export function e2eEnvironment(): E2eEnvironment {
	const raw = process.env.ALCOVE_E2E;
	if (!raw) throw new Error('ALCOVE_E2E is not set; run the browser tests through Playwright');
	return JSON.parse(raw) as E2eEnvironment;
}
