// `npm start`: everything a newcomer needs to try Alcove on this machine.
// Installs what is missing, starts Synapse with the development configuration,
// seeds a demo therapist and a demo client, builds and serves the web client,
// and prints the URL and both sign-ins. Ctrl-C stops everything it started.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataRoot, ensureNpmDependencies, npmBin, run } from './lib/project.ts';
import { registerUser, RegistrationError } from './lib/synapse-admin.ts';
import { startSynapse, type SynapseServer } from './lib/synapse-server.ts';
import { ensureSynapseVenv } from './lib/synapse-venv.ts';
import { startWebServer, type WebServer } from './lib/web-server.ts';

const synapsePort = Number(process.env.ALCOVE_SYNAPSE_PORT ?? 8008);
const webPort = Number(process.env.ALCOVE_PORT ?? 3000);
const dataDir = path.join(dataRoot, 'dev');

interface DemoAccount {
	username: string;
	displayName: string;
	password: string;
}

/**
 * Returns the demo accounts, creating their random passwords on the first run.
 * They are kept in the git-ignored data folder, readable only by this user.
 */
function demoAccounts(): DemoAccount[] {
	const file = path.join(dataDir, 'demo-accounts.json');
	if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoAccount[];
	const accounts: DemoAccount[] = [
		{ username: 'demo-therapist', displayName: 'Dr. Robin Demo', password: '' },
		{ username: 'demo-client', displayName: 'Sam Demo', password: '' }
	].map((account) => ({ ...account, password: randomBytes(9).toString('base64url') }));
	writeFileSync(file, JSON.stringify(accounts, null, '\t'), { mode: 0o600 });
	return accounts;
}

async function seed(synapse: SynapseServer): Promise<DemoAccount[]> {
	const accounts = demoAccounts();
	for (const account of accounts) {
		try {
			await registerUser(synapse.baseUrl, synapse.registrationSharedSecret, account);
			console.log(`Created demo account @${account.username}:${synapse.serverName}`);
		} catch (error) {
			// An earlier run created it with the same password.
			if (!(error instanceof RegistrationError && error.errcode === 'M_USER_IN_USE')) throw error;
		}
	}
	return accounts;
}

function checkServerName(): void {
	// Synapse keeps its server name in the database, so a data folder made for
	// one port cannot be served on another.
	const instanceFile = path.join(dataDir, 'instance.yaml');
	if (!existsSync(instanceFile)) return;
	const { server_name: serverName } = JSON.parse(readFileSync(instanceFile, 'utf8')) as {
		server_name: string;
	};
	if (serverName !== `localhost:${synapsePort}`) {
		throw new Error(
			`data/dev belongs to the server ${serverName}, not localhost:${synapsePort}. ` +
				`Set ALCOVE_SYNAPSE_PORT=${serverName.split(':')[1]} or delete data/dev to start afresh.`
		);
	}
}

let synapse: SynapseServer | undefined;
let web: WebServer | undefined;
let stopping = false;

async function stopAll(exitCode: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		console.log('\nStopping Alcove…');
		await web?.stop();
		await synapse?.stop();
	}
	process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
	await ensureNpmDependencies();
	await ensureSynapseVenv();
	checkServerName();

	console.log(`Starting Synapse on http://127.0.0.1:${synapsePort}…`);
	synapse = await startSynapse({ dataDir, port: synapsePort });
	const accounts = await seed(synapse);

	console.log('Building the web client…');
	await run(npmBin('vite'), ['build', '--logLevel', 'warn']);
	web = await startWebServer({ port: webPort, homeserverUrl: synapse.baseUrl });

	const [therapist, client] = accounts;
	console.log(`
Alcove is running at ${web.url}
Homeserver: ${synapse.baseUrl} (logs in ${path.relative(process.cwd(), synapse.logFile)})

Sign in, one of them in a private window:
  therapist  user name: ${therapist?.username}   password: ${therapist?.password}
  client     user name: ${client?.username}      password: ${client?.password}

The therapist starts a care room for @${client?.username}:${synapse.serverName}.
Press Ctrl-C to stop.`);
} catch (error) {
	console.error(`npm start failed: ${(error as Error).message}`);
	await stopAll(1);
}
