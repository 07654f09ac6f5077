import { describe, expect, it } from 'vitest';
import {
	isValidServerName,
	loginUserSchema,
	serverNameOf,
	userIdSchema
} from '../../../src/lib/matrix/matrix-id.ts';

describe('userIdSchema', () => {
	it.each([
		'@alex:clinic.example',
		'@a.b_c=d-e/f+g:localhost:8008',
		'@x:127.0.0.1',
		'@x:[::1]:8448'
	])('accepts %s', (userId) => {
		expect(userIdSchema.safeParse(userId).success).toBe(true);
	});

	it.each([
		['alex:clinic.example', 'looks like @name:server.example'],
		['@alex', 'looks like @name:server.example'],
		['@Alex:clinic.example', 'lower-case'],
		['@al ex:clinic.example', 'lower-case'],
		['@:clinic.example', 'lower-case'],
		['@alex:clinic..example', 'not a valid server name'],
		['@alex:clinic.example:99999', 'not a valid server name'],
		['@alex:exa mple.org', 'not a valid server name'],
		[`@${'a'.repeat(300)}:x.org`, 'at most 255']
	])('rejects %s', (userId, message) => {
		const result = userIdSchema.safeParse(userId);

		expect(result.success).toBe(false);
		expect(result.error?.issues.map((issue) => issue.message).join(' ')).toContain(message);
	});

	it('trims surrounding white space', () => {
		expect(userIdSchema.parse('  @alex:clinic.example ')).toBe('@alex:clinic.example');
	});
});

describe('loginUserSchema', () => {
	it('accepts a bare user name', () => {
		expect(loginUserSchema.parse('alex')).toBe('alex');
	});

	it('accepts a full Matrix ID', () => {
		expect(loginUserSchema.parse('@alex:clinic.example')).toBe('@alex:clinic.example');
	});

	it('rejects an empty value', () => {
		expect(loginUserSchema.safeParse('  ').error?.issues[0]?.message).toBe(
			'Enter your user name or Matrix ID.'
		);
	});

	it('rejects a user name with spaces', () => {
		expect(loginUserSchema.safeParse('al ex').success).toBe(false);
	});
});

describe('isValidServerName', () => {
	it('rejects a port out of range', () => {
		expect(isValidServerName('clinic.example:0')).toBe(false);
	});

	it('accepts a host with a port', () => {
		expect(isValidServerName('clinic.example:8448')).toBe(true);
	});
});

describe('serverNameOf', () => {
	it('keeps the port of the server name', () => {
		expect(serverNameOf('@a:localhost:8008')).toBe('localhost:8008');
	});
});
