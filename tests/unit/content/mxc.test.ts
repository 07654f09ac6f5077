import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	authenticatedMediaPath,
	formatMxcUri,
	isValidMxcUri,
	parseMxcUri
} from '../../../src/lib/content/mxc.ts';

const DOWNLOAD_PREFIX = '/_matrix/client/v1/media/download/';

describe('parseMxcUri', () => {
	it.each([
		['mxc://example.org/abc123', 'example.org', 'abc123'],
		['mxc://clinic.example:8448/A-b_9', 'clinic.example:8448', 'A-b_9'],
		['mxc://127.0.0.1/x', '127.0.0.1', 'x'],
		['mxc://[::1]:8448/x', '[::1]:8448', 'x'],
		['mxc://localhost/x', 'localhost', 'x']
	])('should parse %s', (uri, serverName, mediaId) => {
		expect(parseMxcUri(uri)).toEqual({ serverName, mediaId });
	});

	it.each([
		['an empty string', ''],
		['another scheme', 'https://example.org/abc'],
		['an upper-case scheme', 'MXC://example.org/abc'],
		['a missing media ID', 'mxc://example.org/'],
		['a missing server name', 'mxc:///abc'],
		['no slash after the server name', 'mxc://example.org'],
		['an extra path segment', 'mxc://example.org/abc/def'],
		['a dot segment', 'mxc://example.org/../abc'],
		['dots in the media ID', 'mxc://example.org/..'],
		['a query', 'mxc://example.org/abc?x=1'],
		['a fragment', 'mxc://example.org/abc#x'],
		['percent-encoding', 'mxc://example.org/abc%2Fdef'],
		['a percent-encoded server name', 'mxc://example%2Eorg/abc'],
		['userinfo', 'mxc://user@example.org/abc'],
		['a space', 'mxc://example.org/ab c'],
		['a trailing line feed', 'mxc://example.org/abc\n'],
		['a leading space', ' mxc://example.org/abc'],
		['a backslash', 'mxc://example.org\\abc'],
		['an invalid port', 'mxc://example.org:99999/abc'],
		['an empty port', 'mxc://example.org:/abc'],
		['a hostname with an underscore', 'mxc://exa_mple.org/abc'],
		['a non-ASCII server name', 'mxc://exämple.org/abc'],
		['a non-ASCII media ID', 'mxc://example.org/abç'],
		['a server name over 255 characters', `mxc://${'a.'.repeat(128)}org/abc`],
		['a media ID over 255 characters', `mxc://example.org/${'a'.repeat(256)}`]
	])('should reject %s', (_description, uri) => {
		expect(parseMxcUri(uri)).toBeUndefined();
	});

	it.each([undefined, null, 42, {}, ['mxc://example.org/abc']])(
		'should reject the non-string %j',
		(value) => {
			expect(parseMxcUri(value)).toBeUndefined();
			expect(isValidMxcUri(value)).toBe(false);
		}
	);
});

describe('authenticatedMediaPath', () => {
	it('should build the download path', () => {
		expect(authenticatedMediaPath('mxc://example.org/abc123')).toBe(
			'/_matrix/client/v1/media/download/example.org/abc123'
		);
	});

	it('should encode an IPv6 server name with a port as one segment', () => {
		expect(authenticatedMediaPath('mxc://[::1]:8448/abc')).toBe(
			'/_matrix/client/v1/media/download/%5B%3A%3A1%5D%3A8448/abc'
		);
	});

	it('should return undefined for an invalid URI', () => {
		expect(authenticatedMediaPath('mxc://example.org/../../_matrix/client/v3/logout')).toBe(
			undefined
		);
	});
});

// Strings close to valid mxc URIs, so that the property tests reach the accepting branch
// often and probe its edges.
const nearMxcUri = fc
	.tuple(
		fc.constantFrom('mxc://', 'MXC://', 'mxc:/', 'mxc:', '', ' mxc://'),
		fc.oneof(
			fc.constantFrom('example.org', 'a.b', '[::1]', '1.2.3.4', 'host:8448', 'x'),
			fc.stringMatching(/^[a-z0-9.:[\]@%-]{0,12}$/)
		),
		fc.constantFrom('/', '//', '', '/./', '/../', '\\'),
		fc.oneof(
			fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
			fc.stringMatching(/^[A-Za-z0-9_./%?#&= -]{0,12}$/)
		),
		fc.constantFrom('', '', '/x', '?a=b', '#f', '\n', ' ', '%20')
	)
	.map((parts) => parts.join(''));

describe('parseMxcUri properties', () => {
	it('should accept only strings that match their canonical form', () => {
		fc.assert(
			fc.property(fc.oneof(nearMxcUri, fc.string({ unit: 'binary' })), (uri) => {
				const mxc = parseMxcUri(uri);
				if (mxc === undefined) {
					expect(authenticatedMediaPath(uri)).toBeUndefined();
					return;
				}
				expect(formatMxcUri(mxc)).toBe(uri);
				expect(authenticatedMediaPath(uri)).toBe(
					`${DOWNLOAD_PREFIX}${encodeURIComponent(mxc.serverName)}/${encodeURIComponent(mxc.mediaId)}`
				);
			}),
			{ numRuns: 2000 }
		);
	});

	it('should build paths with exactly two segments that decode to the parts', () => {
		fc.assert(
			fc.property(nearMxcUri, (uri) => {
				const path = authenticatedMediaPath(uri);
				const mxc = parseMxcUri(uri);
				if (path === undefined || mxc === undefined) return;
				const segments = path.slice(DOWNLOAD_PREFIX.length).split('/');
				expect(segments).toHaveLength(2);
				expect(segments.map(decodeURIComponent)).toEqual([mxc.serverName, mxc.mediaId]);
				expect(path).not.toMatch(/[?#\s]|\/\.\.?(?:\/|$)/);
			}),
			{ numRuns: 2000 }
		);
	});
});
