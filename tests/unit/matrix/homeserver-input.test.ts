import { describe, expect, it } from 'vitest';
import { homeserverInputSchema } from '../../../src/lib/matrix/homeserver.ts';

describe('homeserverInputSchema', () => {
	it('adds https:// to a bare host name', () => {
		expect(homeserverInputSchema.parse('matrix.clinic.example').href).toBe(
			'https://matrix.clinic.example/'
		);
	});

	it('keeps http:// for a local server', () => {
		expect(homeserverInputSchema.parse('http://127.0.0.1:8008').origin).toBe(
			'http://127.0.0.1:8008'
		);
	});

	it.each([
		['', 'Enter the address'],
		['ftp://clinic.example', 'starts with https://'],
		['javascript:alert(1)', 'is not a web address'],
		['https://user:pw@clinic.example', 'without a user name'],
		['https://clinic.example/?next=evil', 'without a user name, query'],
		['https://clinic.example/#x', 'without a user name, query']
	])('rejects %j', (input, message) => {
		const result = homeserverInputSchema.safeParse(input);

		expect(result.success).toBe(false);
		expect(result.error?.issues[0]?.message).toContain(message);
	});
});
