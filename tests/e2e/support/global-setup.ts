import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findFreePort, startSynapse } from '../../../scripts/lib/synapse-server.ts';
import { ensureSynapseVenv } from '../../../scripts/lib/synapse-venv.ts';
import { startWebServer } from '../../../scripts/lib/web-server.ts';
import type { E2eEnvironment } from './environment.ts';

/**
 * Starts Synapse (test overlay, fresh data folder) and the built web client,
 * and hands their addresses to the test workers through the environment.
 * Returns the teardown that stops both.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
	await ensureSynapseVenv();
	const dataDir = mkdtempSync(path.join(tmpdir(), 'alcove-e2e-'));
	const synapse = await startSynapse({ dataDir, testOverlay: true });
	const web = await startWebServer({ port: await findFreePort(), homeserverUrl: synapse.baseUrl });

	const environment: E2eEnvironment = {
		webUrl: web.url,
		homeserverUrl: synapse.baseUrl,
		serverName: synapse.serverName,
		registrationSharedSecret: synapse.registrationSharedSecret,
		synapseDataDir: dataDir
	};
	process.env.ALCOVE_E2E = JSON.stringify(environment);

	return async () => {
		await web.stop();
		await synapse.stop();
		if (!process.env.ALCOVE_KEEP_TEST_DATA) {
			rmSync(dataDir, { recursive: true, force: true });
			// Written by support/typed-phrases.ts beside the data folder.
			rmSync(`${dataDir}.typed-phrases`, { force: true });
		}
	};
}
