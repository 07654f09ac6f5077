import type { Handle } from '@sveltejs/kit/hooks';
import { readClientConfig } from '#lib/config.ts';

const { homeserverUrl } = readClientConfig(process.env);

// The browser may talk to this server and to the practice's homeserver, and
// to nothing else: a script injected into the page cannot send data away.
const connectSources = ["'self'", homeserverUrl ? new URL(homeserverUrl).origin : undefined]
	.filter(Boolean)
	.join(' ');

const securityHeaders: Record<string, string> = {
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Resource-Policy': 'same-origin',
	// Camera and microphone only for this origin (video sessions); nothing else.
	'Permissions-Policy':
		'camera=(self), microphone=(self), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), interest-cohort=()'
};

export const handle: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	for (const [name, value] of Object.entries(securityHeaders)) response.headers.set(name, value);

	// SvelteKit writes the policy from vite.config.ts with a fresh nonce per
	// page; connect-src depends on the deployment, so it is added here.
	const policy = response.headers.get('Content-Security-Policy');
	if (policy) {
		response.headers.set('Content-Security-Policy', `${policy}; connect-src ${connectSources}`);
	} else {
		response.headers.set(
			'Content-Security-Policy',
			`default-src 'none'; connect-src ${connectSources}; frame-ancestors 'none'; base-uri 'none'`
		);
	}
	return response;
};
