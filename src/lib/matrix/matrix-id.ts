import { z } from 'zod';

// Grammar from https://spec.matrix.org/v1.16/appendices/#user-identifiers and
// #server-name. Historical user IDs may use more characters, but an account
// that people type in to sign in or to invite follows the current grammar.
const localpartPattern = /^[a-z0-9._=\-/+]+$/;
const hostnamePattern =
	/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ipv4Pattern = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const ipv6Pattern = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

/** Returns true for a valid Matrix server name: host, IPv4 or [IPv6], with an optional port. */
export function isValidServerName(serverName: string): boolean {
	const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(serverName);
	if (!match) return false;
	const [, host = '', port] = match;
	if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
	return hostnamePattern.test(host) || ipv4Pattern.test(host) || ipv6Pattern.test(host);
}

/** Zod schema of a fully qualified Matrix user ID such as `@alex:clinic.example`. */
export const userIdSchema = z
	.string()
	.trim()
	.max(255, 'A Matrix ID has at most 255 characters.')
	.refine((value) => value.startsWith('@') && value.includes(':'), {
		message: 'A Matrix ID looks like @name:server.example.'
	})
	.refine(
		(value) => {
			const separator = value.indexOf(':');
			const localpart = value.slice(1, separator);
			return localpart.length > 0 && localpartPattern.test(localpart);
		},
		{
			message:
				'The name part of a Matrix ID may use only lower-case letters, digits and . _ = - / +.'
		}
	)
	.refine((value) => isValidServerName(value.slice(value.indexOf(':') + 1)), {
		message: 'The server part of the Matrix ID is not a valid server name.'
	});

/** Zod schema of what a person types as their user name: a localpart or a full Matrix ID. */
export const loginUserSchema = z
	.string()
	.trim()
	.min(1, 'Enter your user name or Matrix ID.')
	.superRefine((value, context) => {
		if (value.startsWith('@')) {
			const result = userIdSchema.safeParse(value);
			if (!result.success) {
				for (const issue of result.error.issues)
					context.addIssue({ code: 'custom', message: issue.message });
			}
		} else if (!localpartPattern.test(value)) {
			context.addIssue({
				code: 'custom',
				message:
					'A user name may use only lower-case letters, digits and . _ = - / +, or enter the full Matrix ID.'
			});
		}
	});

/** Returns the server name of a user ID, the part after the first colon. */
export function serverNameOf(userId: string): string {
	return userId.slice(userId.indexOf(':') + 1);
}
