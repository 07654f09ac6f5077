import { z } from 'zod';
import { AlcoveError } from './errors.ts';
import { logger } from './logger.ts';

const discoveryTimeoutMs = 10_000;

/** Zod schema of a homeserver address typed by a person: a URL or a bare host name. */
export const homeserverInputSchema = z
	.string()
	.trim()
	.min(1, 'Enter the address of your homeserver, for example https://matrix.clinic.example.')
	.transform((value, context) => {
		const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
		let url: URL;
		try {
			url = new URL(withScheme);
		} catch {
			context.addIssue({
				code: 'custom',
				message: `"${value}" is not a web address. Use a form like https://matrix.clinic.example.`
			});
			return z.NEVER;
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:') {
			context.addIssue({
				code: 'custom',
				message: 'A homeserver address starts with https:// (or http:// for a local test server).'
			});
			return z.NEVER;
		}
		if (url.username || url.password || url.search || url.hash) {
			context.addIssue({
				code: 'custom',
				message: 'Enter only the homeserver address, without a user name, query or #fragment.'
			});
			return z.NEVER;
		}
		return url;
	});

const wellKnownSchema = z.object({
	'm.homeserver': z.object({ base_url: z.string().url() })
});

const versionsSchema = z.object({ versions: z.array(z.string()).min(1) });

async function fetchJson(url: string): Promise<unknown> {
	const response = await fetch(url, {
		signal: AbortSignal.timeout(discoveryTimeoutMs),
		credentials: 'omit',
		redirect: 'error'
	});
	if (!response.ok) throw new Error(`HTTP ${response.status}`);
	return response.json();
}

function stripTrailingSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/**
 * Looks up the client-server API base URL for what a person typed: first the
 * `.well-known/matrix/client` document of that host
 * (https://spec.matrix.org/v1.16/client-server-api/#well-known-uris), then the
 * address itself. Either way the result must answer `/_matrix/client/versions`.
 *
 * @throws AlcoveError `homeserver_unreachable` or `homeserver_not_matrix`.
 */
export async function discoverHomeserver(input: URL): Promise<string> {
	const candidates: string[] = [];

	try {
		const wellKnown = wellKnownSchema.parse(
			await fetchJson(`${input.origin}/.well-known/matrix/client`)
		);
		const discovered = new URL(wellKnown['m.homeserver'].base_url);
		if (discovered.protocol === 'https:' || discovered.protocol === 'http:') {
			candidates.push(stripTrailingSlash(discovered.href));
		}
	} catch (error) {
		// Most homeservers that are entered by their API address have no
		// .well-known document, so this is the normal case, not a failure.
		logger.debug('No usable .well-known document', input.origin, String(error));
	}
	candidates.push(stripTrailingSlash(input.href));

	let reachedAServer = false;
	for (const baseUrl of new Set(candidates)) {
		try {
			versionsSchema.parse(await fetchJson(`${baseUrl}/_matrix/client/versions`));
			return baseUrl;
		} catch (error) {
			// fetch() rejects with a TypeError when no connection could be made at all.
			const noConnection =
				error instanceof TypeError ||
				(error instanceof DOMException && error.name === 'TimeoutError');
			if (!noConnection) reachedAServer = true;
			logger.debug('Homeserver candidate failed', baseUrl, String(error));
		}
	}

	if (reachedAServer) {
		throw new AlcoveError(
			'homeserver_not_matrix',
			`${input.href} answered, but it is not a Matrix homeserver`
		);
	}
	throw new AlcoveError('homeserver_unreachable', `Could not connect to ${input.href}`);
}
