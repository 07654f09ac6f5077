import { clientConfigSchema, type ClientConfig } from '#lib/config.ts';
import type { LayoutLoad } from './$types';

// Alcove runs entirely in the browser: the matrixClient, its Rust crypto and
// every decrypted message exist only there, never in server-rendered HTML.
export const ssr = false;

export const load: LayoutLoad = async ({ fetch }): Promise<{ config: ClientConfig }> => {
	const response = await fetch('/config.json');
	const config = clientConfigSchema.parse(await response.json());
	return { config };
};
