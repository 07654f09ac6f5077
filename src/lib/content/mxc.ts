import { isValidServerName } from '../matrix/matrix-id.ts';

/**
 * Parsing of Matrix Content URIs, the `mxc://<server-name>/<media-id>` form that events
 * use for media (https://spec.matrix.org/v1.16/client-server-api/#matrix-content-mxc-uris).
 *
 * The URIs come from other people's events, so the parser accepts only the exact grammar
 * and nothing a URL parser would tolerate: no userinfo, extra path segments, query,
 * fragment, percent-encoding, dot segments or whitespace. An accepted URI therefore names
 * exactly one media item, and the download path built from it cannot point anywhere else.
 */

/** The two parts of a valid `mxc://` URI. */
export interface MxcUri {
	/** The homeserver the media was uploaded to, such as `clinic.example` or `[::1]:8448`. */
	readonly serverName: string;
	/** The media ID, opaque to clients. */
	readonly mediaId: string;
}

// The spec limits a server name to 255 characters (appendices, "Server Name"). It gives
// media IDs no length, so 255 is our own bound: Synapse generates 24-character IDs.
const MAX_SERVER_NAME_LENGTH = 255;
const MAX_MEDIA_ID_LENGTH = 255;

// The media ID grammar from the content repository section of the spec. Because it allows
// no `%`, `.`, `/`, `?` or `#`, a valid ID cannot smuggle in a second path segment.
const mediaIdPattern = /^[A-Za-z0-9_-]+$/;

const MXC_PREFIX = 'mxc://';

/**
 * Parses an `mxc://<server-name>/<media-id>` URI.
 *
 * @param uri - the value from an event, of any type because events are untrusted.
 * @returns the server name and media ID, or `undefined` when `uri` is not a string that
 *   follows the grammar exactly. The scheme must be lower case, as every homeserver writes it.
 */
export function parseMxcUri(uri: unknown): MxcUri | undefined {
	if (typeof uri !== 'string' || !uri.startsWith(MXC_PREFIX)) return undefined;

	// Exactly one slash separates the server name from the media ID: a server name has no
	// slash, and the media ID grammar rejects any further one.
	const rest = uri.slice(MXC_PREFIX.length);
	const separator = rest.indexOf('/');
	if (separator < 0) return undefined;
	const serverName = rest.slice(0, separator);
	const mediaId = rest.slice(separator + 1);

	if (serverName.length > MAX_SERVER_NAME_LENGTH || !isValidServerName(serverName)) {
		return undefined;
	}
	if (mediaId.length > MAX_MEDIA_ID_LENGTH || !mediaIdPattern.test(mediaId)) return undefined;
	return { serverName, mediaId };
}

/** Returns true when `uri` is a valid `mxc://` URI (see {@link parseMxcUri}). */
export function isValidMxcUri(uri: unknown): uri is string {
	return parseMxcUri(uri) !== undefined;
}

/** Formats the parts of a parsed URI back into its `mxc://` form. */
export function formatMxcUri(mxc: MxcUri): string {
	return `${MXC_PREFIX}${mxc.serverName}/${mxc.mediaId}`;
}

/**
 * Builds the authenticated download path for a media item, relative to the homeserver's
 * base URL: `/_matrix/client/v1/media/download/{serverName}/{mediaId}`. Synapse serves
 * media uploaded since it turned on authenticated media only from this endpoint, and only
 * with an access token (https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediadownloadservernamemediaid).
 *
 * Each part is percent-encoded as one path segment, which matters for server names with an
 * IPv6 literal or a port.
 *
 * @returns the path, or `undefined` when `uri` is not a valid `mxc://` URI.
 */
export function authenticatedMediaPath(uri: unknown): string | undefined {
	const mxc = parseMxcUri(uri);
	if (!mxc) return undefined;
	return `/_matrix/client/v1/media/download/${encodeURIComponent(mxc.serverName)}/${encodeURIComponent(mxc.mediaId)}`;
}
