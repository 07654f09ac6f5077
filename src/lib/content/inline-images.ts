import type { MatrixClient } from 'matrix-js-sdk';
import { logger } from '../matrix/logger.ts';
import { authenticatedMediaPath } from './mxc.ts';

/**
 * Loading of the images in a sanitised formatted body.
 *
 * The sanitiser leaves each image with its checked `mxc://` URI in `data-mxc`
 * and no `src`, so the browser loads nothing by itself: no remote URL, and no
 * request that would tell another server that someone read the message. This
 * module fetches each image from the homeserver's authenticated media endpoint
 * with the access token and gives the element a `blob:` URL, which the
 * Content Security Policy allows for images.
 */

/** Largest image shown inline, in bytes; a larger one keeps its alt text only. */
export const MAX_INLINE_IMAGE_BYTES = 10 * 1024 * 1024;

/** Media types shown inline. Anything else, HTML or a script among them, stays unloaded. */
const INLINE_IMAGE_TYPES = new Set([
	'image/png',
	'image/jpeg',
	'image/gif',
	'image/webp',
	'image/avif'
]);

/**
 * Downloads one image through authenticated media. Returns undefined when the
 * URI is invalid, the server answers with an error, or the media is not an
 * image of an allowed type and size.
 */
export async function fetchInlineImage(
	matrixClient: MatrixClient,
	mxcUri: string,
	signal?: AbortSignal
): Promise<Blob | undefined> {
	const path = authenticatedMediaPath(mxcUri);
	const accessToken = matrixClient.getAccessToken();
	if (!path || !accessToken) return undefined;

	const response = await fetch(`${matrixClient.baseUrl}${path}`, {
		headers: { Authorization: `Bearer ${accessToken}` },
		signal
	});
	if (!response.ok) {
		logger.info('Inline image not loaded: the homeserver returned HTTP', response.status);
		return undefined;
	}
	const type = response.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase() ?? '';
	const declaredLength = Number(response.headers.get('Content-Length') ?? 0);
	if (!INLINE_IMAGE_TYPES.has(type) || declaredLength > MAX_INLINE_IMAGE_BYTES) {
		logger.info('Inline image not loaded: type or size not allowed', type, declaredLength);
		await response.body?.cancel();
		return undefined;
	}
	const blob = await response.blob();
	// Content-Length may be missing or wrong; the size that counts is what arrived.
	if (blob.size > MAX_INLINE_IMAGE_BYTES) return undefined;
	return new Blob([blob], { type });
}

/**
 * Loads every `img[data-mxc]` inside `container` and returns the clean-up,
 * which stops pending downloads and releases the blob URLs.
 */
export function loadInlineImages(matrixClient: MatrixClient, container: HTMLElement): () => void {
	const controller = new AbortController();
	const objectUrls: string[] = [];
	for (const image of container.querySelectorAll<HTMLImageElement>('img[data-mxc]')) {
		const mxcUri = image.dataset.mxc ?? '';
		fetchInlineImage(matrixClient, mxcUri, controller.signal)
			.then((blob) => {
				if (!blob || controller.signal.aborted) return;
				const url = URL.createObjectURL(blob);
				objectUrls.push(url);
				image.src = url;
			})
			.catch((error: unknown) => {
				if (!controller.signal.aborted) logger.warn('Inline image not loaded', error);
			});
	}
	return () => {
		controller.abort();
		for (const url of objectUrls) URL.revokeObjectURL(url);
	};
}
