import { z } from 'zod';

/** Practice configuration that the server hands to the browser at /config.json. */
export const clientConfigSchema = z.object({
	/** Homeserver offered on the sign-in screen, or null to let people type one. */
	homeserverUrl: z.string().url().nullable()
});

export type ClientConfig = z.infer<typeof clientConfigSchema>;

/**
 * Reads the practice configuration from environment variables of the Node
 * server. `ALCOVE_HOMESERVER_URL` must be an http(s) URL without a path
 * beyond `/`; an invalid value stops the server with an error naming it.
 */
export function readClientConfig(env: Record<string, string | undefined>): ClientConfig {
	const raw = env.ALCOVE_HOMESERVER_URL?.trim();
	if (!raw) return { homeserverUrl: null };
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new Error(
			`ALCOVE_HOMESERVER_URL="${raw}" is not a URL; set it to e.g. https://matrix.clinic.example`
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new Error(
			`ALCOVE_HOMESERVER_URL must start with https:// or http://, not ${url.protocol}`
		);
	}
	return { homeserverUrl: url.origin + url.pathname.replace(/\/+$/, '') };
}
