import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './project.ts';

/** The built Alcove web client, served by SvelteKit's Node adapter. */
export interface WebServer {
	url: string;
	stop(): Promise<void>;
}

async function waitForUrl(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) {
			throw new Error(`The web server exited with code ${child.exitCode} during start-up`);
		}
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	child.kill('SIGKILL');
	throw new Error(`The web server did not answer ${url} within ${timeoutMs} ms`);
}

/**
 * Serves build/ (made by `vite build`) on a loopback port, configured to offer
 * `homeserverUrl` at sign-in.
 */
export async function startWebServer(options: {
	port: number;
	homeserverUrl: string;
	stdio?: 'inherit' | 'ignore';
	/** Further environment variables, e.g. ALCOVE_LOCK_AFTER_SECONDS. */
	env?: Record<string, string>;
}): Promise<WebServer> {
	const entry = path.join(projectRoot, 'build', 'index.js');
	if (!existsSync(entry)) throw new Error(`${entry} is missing; run "npx vite build" first`);
	const url = `http://127.0.0.1:${options.port}`;
	const child = spawn(process.execPath, [entry], {
		cwd: projectRoot,
		stdio: ['ignore', options.stdio ?? 'ignore', 'inherit'],
		env: {
			...process.env,
			HOST: '127.0.0.1',
			PORT: String(options.port),
			ORIGIN: url,
			ALCOVE_HOMESERVER_URL: options.homeserverUrl,
			...options.env
		}
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	await waitForUrl(`${url}/config.json`, child, 30_000);
	return {
		url,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			await exited;
		}
	};
}
