import type { MatrixClient } from 'matrix-js-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	fetchInlineImage,
	MAX_INLINE_IMAGE_BYTES
} from '../../../src/lib/content/inline-images.ts';

const matrixClient = {
	baseUrl: 'https://matrix.clinic.example',
	getAccessToken: () => 'token-for-test'
} as unknown as MatrixClient;

function answerWith(body: BodyInit, headers: Record<string, string>, status = 200) {
	const fetchMock = vi.fn(async () => new Response(body, { status, headers }));
	vi.stubGlobal('fetch', fetchMock);
	return fetchMock;
}

afterEach(() => {
	vi.unstubAllGlobals();
});

describe('fetchInlineImage', () => {
	it('downloads through authenticated media with the token', async () => {
		const fetchMock = answerWith(new Uint8Array([1, 2, 3]), { 'Content-Type': 'image/png' });
		const blob = await fetchInlineImage(matrixClient, 'mxc://clinic.example/abc123');
		expect(blob?.type).toBe('image/png');
		expect(blob?.size).toBe(3);
		expect(fetchMock).toHaveBeenCalledWith(
			'https://matrix.clinic.example/_matrix/client/v1/media/download/clinic.example/abc123',
			expect.objectContaining({ headers: { Authorization: 'Bearer token-for-test' } })
		);
	});

	it('rejects an invalid mxc URI without a request', async () => {
		const fetchMock = answerWith('', { 'Content-Type': 'image/png' });
		expect(await fetchInlineImage(matrixClient, 'mxc://clinic.example/../logout')).toBeUndefined();
		expect(await fetchInlineImage(matrixClient, 'https://clinic.example/a.png')).toBeUndefined();
		expect(fetchMock).not.toHaveBeenCalled();
	});

	it.each(['text/html', 'image/svg+xml', 'application/javascript', ''])(
		'rejects media of type "%s"',
		async (type) => {
			answerWith('<script>1</script>', type ? { 'Content-Type': type } : {});
			expect(await fetchInlineImage(matrixClient, 'mxc://clinic.example/abc123')).toBeUndefined();
		}
	);

	it('rejects an image over the size limit', async () => {
		answerWith(new Uint8Array(MAX_INLINE_IMAGE_BYTES + 1), { 'Content-Type': 'image/png' });
		expect(await fetchInlineImage(matrixClient, 'mxc://clinic.example/abc123')).toBeUndefined();
	});

	it('returns nothing when the server answers with an error', async () => {
		answerWith('{"errcode":"M_NOT_FOUND"}', { 'Content-Type': 'image/png' }, 404);
		expect(await fetchInlineImage(matrixClient, 'mxc://clinic.example/abc123')).toBeUndefined();
	});
});
