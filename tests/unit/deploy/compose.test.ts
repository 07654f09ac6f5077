import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../scripts/lib/project.ts';
import { pinnedSynapseVersion } from '../../../scripts/lib/synapse-venv.ts';
import { parseYaml } from './synapse-python.ts';

// docker-compose 1.29 (Debian's docker-compose package) validates and
// interpolates a Compose file without a Docker engine. The example .env is
// passed explicitly so that a developer's own .env cannot change the result.
const composeFile = path.join(projectRoot, 'docker-compose.yml');
const exampleEnvFile = path.join(projectRoot, 'deploy', 'env.example');

const coreServices = ['nginx', 'postgres', 'synapse', 'web'];
const workerServices = ['redis', 'synapse-federation-sender', 'synapse-generic-worker'];
const synapseServices = ['synapse', 'synapse-generic-worker', 'synapse-federation-sender'];

interface ComposeResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

interface ComposeService {
	image?: string;
	command?: string[];
	entrypoint?: string[];
	environment?: Record<string, string>;
	ports?: Array<{ target: number; published?: number | string }>;
	profiles?: string[];
	restart?: string;
	healthcheck?: { test?: string[] };
	volumes?: Array<string | { source?: string; target: string }>;
}

interface ComposeConfig {
	services: Record<string, ComposeService>;
	volumes?: Record<string, unknown>;
}

function runCompose(args: string[], environment: Record<string, string> = {}): ComposeResult {
	const result = spawnSync(
		'docker-compose',
		['-f', composeFile, '--env-file', exampleEnvFile, ...args],
		{
			cwd: projectRoot,
			encoding: 'utf8',
			env: {
				PATH: process.env.PATH ?? '/usr/bin:/bin',
				HOME: process.env.HOME ?? '/tmp',
				...environment
			}
		}
	);
	if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
		throw new Error(
			'docker-compose is not installed. Install it with `apt-get install docker-compose` ' +
				'(1.29 checks a Compose file without a Docker engine).'
		);
	}
	if (result.error) throw result.error;
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function loadConfig(args: string[], environment: Record<string, string> = {}): ComposeConfig {
	const result = runCompose([...args, 'config'], environment);
	if (result.status !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}`);
	return parseYaml(result.stdout) as ComposeConfig;
}

/** Returns "source:target" of each volume, whichever syntax the Compose version prints. */
function volumeMounts(service: ComposeService): string[] {
	return (service.volumes ?? []).map((volume) =>
		typeof volume === 'string'
			? volume.split(':').slice(0, 2).join(':')
			: `${volume.source ?? ''}:${volume.target}`
	);
}

function configPaths(service: ComposeService): string[] {
	return (service.command ?? [])
		.filter((argument) => argument.startsWith('--config-path='))
		.map((argument) => argument.slice('--config-path='.length));
}

/** Maps a path inside a Synapse container to the repository file mounted there. */
function repositoryFileFor(containerPath: string): string {
	if (containerPath === '/alcove/production.yaml') {
		return path.join(projectRoot, 'synapse-config', 'production.yaml');
	}
	const relative = containerPath.replace(/^\/alcove\/deploy\//, '');
	// Each practice writes deployment.yaml from the committed example.
	const file = relative === 'deployment.yaml' ? 'deployment.example.yaml' : relative;
	return path.join(projectRoot, 'deploy', 'synapse', file);
}

describe('docker-compose.yml', () => {
	let config: ComposeConfig;
	let workersConfig: ComposeConfig;

	// Each docker-compose run takes one to two seconds on two shared cores.
	beforeAll(() => {
		config = loadConfig([]);
		workersConfig = loadConfig(['--profile', 'workers'], { ALCOVE_SYNAPSE_MODE: 'workers' });
	}, 60_000);

	it('passes docker-compose config', { timeout: 30_000 }, () => {
		const result = runCompose(['config', '--services']);
		expect(result.status, result.stderr).toBe(0);
		const services = result.stdout.trim().split('\n');
		for (const name of coreServices) expect(services).toContain(name);
	});

	it('passes docker-compose config with the workers profile', { timeout: 30_000 }, () => {
		const result = runCompose(['--profile', 'workers', 'config', '--services']);
		expect(result.status, result.stderr).toBe(0);
		const services = result.stdout.trim().split('\n');
		for (const name of [...coreServices, ...workerServices]) expect(services).toContain(name);
	});

	it('defines the practice and worker services', () => {
		expect(Object.keys(workersConfig.services).sort()).toEqual(
			[...coreServices, ...workerServices].sort()
		);
	});

	it('puts only the worker services in the workers profile', () => {
		for (const name of coreServices) expect(config.services[name]?.profiles, name).toBeUndefined();
		for (const name of workerServices) {
			expect(workersConfig.services[name]?.profiles, name).toEqual(['workers']);
		}
	});

	it('publishes ports on nginx only', () => {
		for (const [name, service] of Object.entries(workersConfig.services)) {
			if (name !== 'nginx') expect(service.ports, name).toBeUndefined();
		}
		const published = (config.services.nginx?.ports ?? []).map((port) => port.target).sort();
		expect(published).toEqual([443, 80, 8448].sort());
	});

	it('restarts and health-checks every service', () => {
		for (const [name, service] of Object.entries(workersConfig.services)) {
			expect(service.restart, name).toBe('unless-stopped');
			expect(service.healthcheck?.test?.length, name).toBeGreaterThan(0);
		}
	});

	it('keeps data in named volumes', () => {
		expect(Object.keys(config.volumes ?? {}).sort()).toEqual(['postgres-data', 'synapse-data']);
		expect(volumeMounts(config.services.postgres!)).toContain(
			'postgres-data:/var/lib/postgresql/data'
		);
		for (const name of synapseServices) {
			expect(volumeMounts(workersConfig.services[name]!), name).toContain('synapse-data:/data');
		}
	});

	it('pins Synapse to the version in requirements.txt', () => {
		for (const name of synapseServices) {
			expect(workersConfig.services[name]?.image, name).toBe(
				`ghcr.io/element-hq/synapse:v${pinnedSynapseVersion()}`
			);
		}
	});

	it('creates the database with the C collation', () => {
		const initdbArguments = config.services.postgres?.environment?.POSTGRES_INITDB_ARGS ?? '';
		expect(initdbArguments).toContain('--lc-collate=C');
		expect(initdbArguments).toContain('--lc-ctype=C');
	});

	it('loads production.yaml first and the mode overlay last', () => {
		const monolith = configPaths(config.services.synapse!);
		expect(monolith[0]).toBe('/alcove/production.yaml');
		expect(monolith.at(-1)).toBe('/alcove/deploy/monolith.yaml');

		const workers = configPaths(workersConfig.services.synapse!);
		expect(workers.at(-1)).toBe('/alcove/deploy/workers.yaml');
		expect(workersConfig.services.nginx?.environment?.ALCOVE_SYNAPSE_MODE).toBe('workers');
	});

	it('refers to Synapse configuration files that exist', () => {
		for (const name of synapseServices) {
			const service = workersConfig.services[name]!;
			for (const containerPath of configPaths(service)) {
				const file = repositoryFileFor(containerPath);
				expect(existsSync(file), `${name}: ${containerPath} (${file})`).toBe(true);
			}
			const entrypoint = service.entrypoint?.at(-1) ?? '';
			expect(existsSync(repositoryFileFor(entrypoint)), `${name}: ${entrypoint}`).toBe(true);
		}
	});

	it('gives nginx every variable its template uses', () => {
		const templateFile = path.join(
			projectRoot,
			'deploy',
			'nginx',
			'templates',
			'default.conf.template'
		);
		const template = readFileSync(templateFile, 'utf8');
		const used = new Set([...template.matchAll(/\$\{?(ALCOVE_\w+)\}?/g)].map((match) => match[1]));
		const environment = config.services.nginx?.environment ?? {};
		for (const variable of used) expect(environment[variable!], variable).toBeDefined();
	});

	it('has an nginx route file for each Synapse mode', () => {
		for (const mode of ['monolith', 'workers']) {
			const routes = path.join(projectRoot, 'deploy', 'nginx', 'alcove', `synapse-${mode}.conf`);
			expect(existsSync(routes), routes).toBe(true);
			const overlay = path.join(projectRoot, 'deploy', 'synapse', `${mode}.yaml`);
			expect(existsSync(overlay), overlay).toBe(true);
		}
	});
});
