import { clientConfigSchema, type ClientConfig } from '#lib/config.ts';
import { dev } from '$app/env';
import { setLogLevel } from '#lib/matrix/logger.ts';
import type { LayoutLoad } from './$types';

// Production consoles show warnings and errors only.
setLogLevel(dev ? 'debug' : 'warn');

// Alcove runs entirely in the browser: the matrixClient, its Rust crypto and
// every decrypted message exist only there, never in server-rendered HTML.
export const ssr = false;

export const load: LayoutLoad = async ({ fetch }): Promise<{ config: ClientConfig }> => {
	const response = await fetch('/config.json');
	const config = clientConfigSchema.parse(await response.json());
	return { config };
};
