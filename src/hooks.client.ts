import type { HandleClientError } from '@sveltejs/kit/hooks';
import { z } from 'zod';
import { logger } from '#lib/matrix/logger.ts';

// Zod compiles object schemas with new Function() unless told not to. The
// Content Security Policy forbids eval, so every such attempt would be a
// violation; the interpreted path is fast enough for our inputs.
z.config({ jitless: true });

/**
 * Prefix of the log line for a Content Security Policy violation in the page.
 * The browser tests fail on any line with it.
 */
export const CSP_VIOLATION_LOG = 'Content Security Policy violation';

// Reports every violation in the page's own document. Inert documents, such
// as the one the HTML sanitiser parses untrusted markup into, raise their own
// reports in the console; those are blocked attempts inside a document that
// never runs script, and they do not reach this listener.
document.addEventListener('securitypolicyviolation', (event) => {
	logger.error(
		CSP_VIOLATION_LOG,
		event.effectiveDirective,
		event.blockedURI || 'inline',
		`${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`
	);
});

export const handleError: HandleClientError = ({ kind, error }) => {
	// Details stay in the log. Returning nothing keeps SvelteKit's generic
	// message on the page, so no error text from the SDK reaches the screen.
	if (kind === 'unknown') logger.error('Unexpected error', error);
};
