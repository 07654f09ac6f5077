import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { projectRoot } from './project.ts';
import { synapsePython } from './synapse-venv.ts';

const configDir = path.join(projectRoot, 'synapse-config');

/** How a Synapse instance is configured and where it keeps its files. */
export interface SynapseOptions {
	/** Folder for the database, media store, signing key, secrets and logs. */
	dataDir: string;
	/** Loopback port for the client listener; 0 picks a free one. */
	port?: number;
	/** Loads synapse-config/test-overlay.yaml after the development configuration. */
	testOverlay?: boolean;
	/**
	 * More configuration files, loaded after all others in this order. A later
	 * file replaces each top-level key that an earlier file sets.
	 */
	extraConfigFiles?: string[];
	/** Time to wait for /health before giving up, in milliseconds. */
	startTimeoutMs?: number;
}

/** Secrets that stay the same across restarts of one data folder. */
interface InstanceSecrets {
	registrationSharedSecret: string;
	macaroonSecretKey: string;
	formSecret: string;
}

/** A running Synapse child process on a loopback port. */
export interface SynapseServer {
	/** Client-server API base URL, e.g. http://127.0.0.1:8008. */
	baseUrl: string;
	/** The server name, which is the part of every Matrix ID after the colon. */
	serverName: string;
	/** Secret for the shared-secret registration admin API. */
	registrationSharedSecret: string;
	dataDir: string;
	/** Synapse's log file (homeserver.log in the data folder). */
	logFile: string;
	/** Path of the SQLite database. */
	databaseFile: string;
	/** Stops Synapse; resolves once the process has exited. */
	stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1 by binding port 0 and releasing it. */
export function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				if (address && typeof address === 'object') resolve(address.port);
				else reject(new Error('The operating system did not assign a port'));
			});
		});
	});
}

function randomSecret(): string {
	return randomBytes(32).toString('base64url');
}

function loadOrCreateSecrets(dataDir: string): InstanceSecrets {
	const file = path.join(dataDir, 'secrets.json');
	if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as InstanceSecrets;
	const secrets: InstanceSecrets = {
		registrationSharedSecret: randomSecret(),
		macaroonSecretKey: randomSecret(),
		formSecret: randomSecret()
	};
	writeFileSync(file, JSON.stringify(secrets, null, '\t'), { mode: 0o600 });
	return secrets;
}

function ensureSigningKey(file: string): void {
	if (existsSync(file)) return;
	// Synapse's key file format: "<algorithm> <key id> <unpadded base64 of the 32-byte seed>".
	const seed = randomBytes(32).toString('base64').replace(/=+$/, '');
	writeFileSync(file, `ed25519 a_${randomBytes(3).toString('hex')} ${seed}\n`, { mode: 0o600 });
}

/**
 * Writes the per-instance configuration file: everything that depends on the
 * data folder and port. It is JSON, which Synapse's YAML loader reads too, indented
 * with spaces because YAML rejects tabs.
 */
function writeInstanceConfig(dataDir: string, port: number, secrets: InstanceSecrets): string {
	const serverName = `localhost:${port}`;
	const logFile = path.join(dataDir, 'homeserver.log');
	const logConfigFile = path.join(dataDir, 'log.config.json');
	const logConfig = {
		version: 1,
		formatters: {
			precise: { format: '%(asctime)s %(name)s %(lineno)d %(levelname)s %(request)s %(message)s' }
		},
		handlers: {
			file: {
				class: 'logging.FileHandler',
				formatter: 'precise',
				filename: logFile,
				filters: ['context']
			}
		},
		filters: { context: { '()': 'synapse.logging.context.LoggingContextFilter', request: '' } },
		loggers: { synapse: { level: 'INFO' }, 'synapse.storage.SQL': { level: 'WARNING' } },
		root: { level: 'INFO', handlers: ['file'] },
		disable_existing_loggers: false
	};
	writeFileSync(logConfigFile, JSON.stringify(logConfig, null, 2));

	const instance = {
		// A server name with an explicit port needs no .well-known or SRV look-up.
		server_name: serverName,
		public_baseurl: `http://127.0.0.1:${port}/`,
		pid_file: path.join(dataDir, 'homeserver.pid'),
		listeners: [
			{
				port,
				type: 'http',
				tls: false,
				bind_addresses: ['127.0.0.1'],
				x_forwarded: false,
				resources: [{ names: ['client'], compress: false }]
			}
		],
		database: { name: 'sqlite3', args: { database: path.join(dataDir, 'homeserver.db') } },
		media_store_path: path.join(dataDir, 'media_store'),
		signing_key_path: path.join(dataDir, 'signing.key'),
		log_config: logConfigFile,
		registration_shared_secret: secrets.registrationSharedSecret,
		macaroon_secret_key: secrets.macaroonSecretKey,
		form_secret: secrets.formSecret
	};
	const file = path.join(dataDir, 'instance.yaml');
	writeFileSync(file, JSON.stringify(instance, null, 2), { mode: 0o600 });
	return file;
}

async function waitForHealth(
	baseUrl: string,
	child: ChildProcess,
	timeoutMs: number,
	logFile: string
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(
				`Synapse exited during start-up (exit code ${child.exitCode}); see ${logFile} and synapse.stderr.log beside it`
			);
		}
		try {
			const response = await fetch(`${baseUrl}/health`);
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	child.kill('SIGKILL');
	throw new Error(
		`Synapse did not answer ${baseUrl}/health within ${timeoutMs} ms; see ${logFile}`
	);
}

/** Starts Synapse from the configurations in synapse-config/ and waits until /health answers. */
export async function startSynapse(options: SynapseOptions): Promise<SynapseServer> {
	const { dataDir } = options;
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const port = options.port || (await findFreePort());
	const secrets = loadOrCreateSecrets(dataDir);
	ensureSigningKey(path.join(dataDir, 'signing.key'));
	const instanceConfig = writeInstanceConfig(dataDir, port, secrets);

	const configArgs = ['-c', path.join(configDir, 'homeserver.yaml'), '-c', instanceConfig];
	if (options.testOverlay) configArgs.push('-c', path.join(configDir, 'test-overlay.yaml'));
	for (const file of options.extraConfigFiles ?? []) configArgs.push('-c', file);

	const stderrLog = openSync(path.join(dataDir, 'synapse.stderr.log'), 'a');
	const child = spawn(synapsePython, ['-m', 'synapse.app.homeserver', ...configArgs], {
		cwd: dataDir,
		stdio: ['ignore', stderrLog, stderrLog],
		env: { ...process.env, SYNAPSE_ASYNC_IO_REACTOR: '0' }
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	const baseUrl = `http://127.0.0.1:${port}`;
	const logFile = path.join(dataDir, 'homeserver.log');
	await waitForHealth(baseUrl, child, options.startTimeoutMs ?? 120_000, logFile);

	return {
		baseUrl,
		serverName: `localhost:${port}`,
		registrationSharedSecret: secrets.registrationSharedSecret,
		dataDir,
		logFile,
		databaseFile: path.join(dataDir, 'homeserver.db'),
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
		}
	};
}
