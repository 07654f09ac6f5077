import { describe, expect, it } from 'vitest';
import { readClientConfig } from '../../src/lib/config.ts';

describe('readClientConfig', () => {
	it('offers no homeserver when none is configured', () => {
		expect(readClientConfig({})).toEqual({ homeserverUrl: null });
	});

	it('drops a trailing slash', () => {
		expect(readClientConfig({ ALCOVE_HOMESERVER_URL: 'https://m.clinic.example/' })).toEqual({
			homeserverUrl: 'https://m.clinic.example'
		});
	});

	it('names the variable in the error for a bad value', () => {
		expect(() => readClientConfig({ ALCOVE_HOMESERVER_URL: 'clinic' })).toThrow(
			'ALCOVE_HOMESERVER_URL="clinic" is not a URL'
		);
		expect(() => readClientConfig({ ALCOVE_HOMESERVER_URL: 'ftp://clinic' })).toThrow(
			'must start with https:// or http://'
		);
	});
});
