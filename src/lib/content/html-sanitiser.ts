/**
 * Sanitising of `org.matrix.custom.html` message bodies (`formatted_body`).
 *
 * Threat model: anyone who can send an event to a care room, and any homeserver on the
 * way, writes the HTML. It is shown inside the logged-in client, where a script would have
 * the access token and the decrypted history. The sanitiser therefore keeps only the tags
 * and attributes that the spec suggests
 * (https://spec.matrix.org/v1.16/client-server-api/#mroommessage-msgtypes), checks every
 * attribute value, and leaves nothing that fetches from the network: images keep their
 * `mxc://` URI in `data-mxc` and have no `src`, so the timeline decides whether and how to
 * load them through authenticated media.
 *
 * DOMPurify does the parsing and the removal, which makes the output safe against
 * mutation XSS (markup that changes meaning when serialised and parsed again). The hooks
 * below narrow its allowlist to the spec's table, tag by tag. Colours stay in their
 * `data-mx-color` and `data-mx-bg-color` attributes for the timeline to apply, because the
 * Content Security Policy blocks inline `style` attributes.
 *
 * NOTE: the cost grows with the input length. In Debian's Chromium on a 2-core machine,
 * one DOMPurify pass over 64 KiB of tags took up to about 0.4 s, nested or not. jsdom, used
 * in the tests, takes seconds for thousands of nested tags.
 */
import createDOMPurify, { type Config, type DOMPurify, type WindowLike } from 'dompurify';
import { logger } from '../matrix/logger.ts';
import { removeActiveMarkup } from './inert-prefilter.ts';
import { formatMxcUri, parseMxcUri } from './mxc.ts';

/** A browser `Window`, or a jsdom window in tests: what DOMPurify needs to parse HTML. */
export type SanitiserWindow = WindowLike;

/** Turns untrusted `formatted_body` HTML into HTML that is safe to assign to `innerHTML`. */
export interface HtmlSanitiser {
	/**
	 * Sanitises one `formatted_body`. Never throws.
	 *
	 * @returns the safe HTML. An empty string also means the input was rejected (too long,
	 *   nested too deep, not a string, or it failed to parse), so the caller shows the
	 *   plain `body` instead.
	 */
	sanitise(html: string): string;
}

/**
 * Maximum length of HTML that is sanitised, in UTF-16 code units. A whole event is at
 * most 65536 bytes of canonical JSON (https://spec.matrix.org/v1.16/client-server-api/#size-limits),
 * so a longer `formatted_body` cannot come from a homeserver that follows the spec.
 */
export const MAX_HTML_LENGTH = 65_536;

/**
 * Maximum nesting depth of elements. The spec forbids nesting tags more than 100 levels
 * deep, and deeper input is rejected. Parsers also rewrite very deep trees, which is a
 * source of mutation XSS: Chromium stops nesting at 512 levels.
 */
export const MAX_HTML_DEPTH = 100;

/**
 * The tags kept: the spec's suggested list, plus `font`, which the spec deprecated in
 * v1.10 but older clients still send.
 */
export const ALLOWED_HTML_TAGS: readonly string[] = [
	'font',
	'del',
	'h1',
	'h2',
	'h3',
	'h4',
	'h5',
	'h6',
	'blockquote',
	'p',
	'a',
	'ul',
	'ol',
	'sup',
	'sub',
	'li',
	'b',
	'i',
	'u',
	'strong',
	'em',
	's',
	'code',
	'hr',
	'br',
	'div',
	'table',
	'thead',
	'tbody',
	'tr',
	'th',
	'td',
	'caption',
	'pre',
	'span',
	'img',
	'details',
	'summary'
];

/**
 * The attributes kept on each tag, as the spec's table lists them. Two differences: `a`
 * loses `target`, which the sanitiser sets itself together with `rel`, and `img` has
 * `data-mxc` in place of `src`, so that sanitised output can be sanitised again unchanged.
 */
export const ALLOWED_HTML_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
	['font', new Set(['data-mx-bg-color', 'data-mx-color', 'color'])],
	['span', new Set(['data-mx-bg-color', 'data-mx-color', 'data-mx-spoiler', 'data-mx-maths'])],
	['a', new Set(['href'])],
	['img', new Set(['width', 'height', 'alt', 'title', 'data-mxc'])],
	['ol', new Set(['start'])],
	['code', new Set(['class'])],
	['div', new Set(['data-mx-maths'])]
]);

/**
 * The link schemes kept. The spec also allows `ftp:` and `magnet:`. Alcove drops them,
 * because a browser hands them to another program, outside the page's protections.
 * matrix.to links are ordinary `https:` links.
 */
export const ALLOWED_LINK_PROTOCOLS: ReadonlySet<string> = new Set(['https:', 'http:', 'mailto:']);

// Output that still changes after this many passes is rejected. In the tests, output
// settles after one pass, or after two for the few inputs (a handful in ten thousand
// generated tag soups) whose tree parser error recovery rearranges.
const MAX_SANITISE_PASSES = 4;

/** An attribute check: it returns the value to keep, or `undefined` to drop the attribute. */
type AttributeValidator = (value: string) => string | undefined;

// The spec gives colours as "#" and six hex digits. Anything else could be CSS.
const colourPattern = /^#[0-9A-Fa-f]{6}$/;
const validateColour: AttributeValidator = (value) =>
	colourPattern.test(value) ? value : undefined;
const keepText: AttributeValidator = (value) => value;

const attributeValidators: ReadonlyMap<string, AttributeValidator> = new Map([
	['color', validateColour],
	['data-mx-color', validateColour],
	['data-mx-bg-color', validateColour],
	['data-mx-spoiler', keepText],
	['data-mx-maths', keepText],
	['alt', keepText],
	['title', keepText],
	['href', safeLinkHref],
	['data-mxc', canonicalMxc],
	// Sizes in CSS pixels. Four digits are more than any screen needs.
	['width', (value) => (/^\d{1,4}$/.test(value) ? value : undefined)],
	['height', (value) => (/^\d{1,4}$/.test(value) ? value : undefined)],
	// A signed integer, as spec v1.18 defines `start`. Nine digits keep it a safe integer.
	['start', (value) => (/^-?\d{1,9}$/.test(value) ? value : undefined)],
	['class', languageClasses]
]);

/**
 * Normalises a link target, or returns `undefined` when it is not an absolute `https:`,
 * `http:` or `mailto:` URL. The WHATWG URL parser removes the tabs, line breaks and
 * leading control characters that hide `javascript:` from simpler checks, and rejects
 * relative and protocol-relative (`//host`) URLs because no base URL is given.
 */
export function safeLinkHref(value: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return undefined;
	}
	if (!ALLOWED_LINK_PROTOCOLS.has(url.protocol)) return undefined;

	// `https://clinic.example@evil.example/` reads as the clinic and goes elsewhere.
	if (url.username !== '' || url.password !== '') return undefined;
	return url.href;
}

function canonicalMxc(value: string): string | undefined {
	const mxc = parseMxcUri(value);
	return mxc ? formatMxcUri(mxc) : undefined;
}

// The spec allows only classes that start with "language-", for syntax highlighting.
// Other classes are dropped one by one, so `class="language-js evil"` keeps the first.
function languageClasses(value: string): string | undefined {
	const languageNames = value
		.split(/\s+/)
		.filter((name) => /^language-[A-Za-z0-9_+#.-]+$/.test(name));
	return languageNames.length > 0 ? languageNames.join(' ') : undefined;
}

const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

const purifyConfig: Config = {
	ALLOWED_TAGS: [...ALLOWED_HTML_TAGS],
	// DOMPurify's list is for all tags at once. The hooks below narrow it to each tag's
	// own attributes.
	ALLOWED_ATTR: [...new Set([...ALLOWED_HTML_ATTRIBUTES.values()].flatMap((names) => [...names]))],
	// No SVG or MathML: namespace confusion between them and HTML is where most mutation
	// XSS comes from, and the spec allows neither.
	ALLOWED_NAMESPACES: [HTML_NAMESPACE],
	ALLOW_DATA_ATTR: false,
	ALLOW_ARIA_ATTR: false,
	ALLOW_UNKNOWN_PROTOCOLS: false,
	ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
	// DOMPurify judges the value of any attribute it does not know as a URL. These are
	// plain values, each checked by its validator above.
	ADD_URI_SAFE_ATTR: [
		'color',
		'data-mx-color',
		'data-mx-bg-color',
		'data-mx-spoiler',
		'data-mx-maths',
		'data-mxc',
		'width',
		'height',
		'start'
	],
	// Tags removed together with their content, in addition to DOMPurify's own list (script,
	// style, svg, math, iframe, noscript and more). Other unknown tags are unwrapped and
	// their text kept. Since v1.13 clients strip `mx-reply` and what it contains, the old
	// reply fallback (https://spec.matrix.org/v1.16/client-server-api/#rich-replies). The
	// other tags contain form values or plugin fallbacks, not prose.
	ADD_FORBID_CONTENTS: [
		'mx-reply',
		'textarea',
		'select',
		'option',
		'optgroup',
		'datalist',
		'object',
		'applet'
	],
	KEEP_CONTENT: true
};

/** Per-call state that the hooks share, reset by each {@link HtmlSanitiser.sanitise} call. */
interface SanitiseRun {
	/** Element depth below the root, for {@link MAX_HTML_DEPTH}. */
	readonly depths: WeakMap<Node, number>;
	/** Whether DOMPurify has visited its root, the `<body>` of the parsed input, yet. */
	rootSeen: boolean;
	/** The `src` of each image, moved to `data-mxc` once checked. */
	readonly imageSources: WeakMap<Element, string>;
	tooDeep: boolean;
}

/**
 * Creates a sanitiser bound to one window. The DOMPurify instance and its hooks belong to
 * the sanitiser alone, so other users of DOMPurify in the same window are not affected.
 *
 * @throws Error when DOMPurify cannot run in `window`, because it would then return its
 *   input unchanged.
 */
export function createHtmlSanitiser(window: SanitiserWindow): HtmlSanitiser {
	const purify = createDOMPurify(window);
	if (!purify.isSupported) {
		throw new Error('DOMPurify cannot run in this window, so HTML cannot be sanitised.');
	}
	const elementNode = window.Node.ELEMENT_NODE;
	let run: SanitiseRun = newRun();
	installHooks(purify, () => run, elementNode);

	function sanitiseOnce(html: string): string | undefined {
		run = newRun();
		const result = purify.sanitize(html, purifyConfig);
		return run.tooDeep ? undefined : result;
	}

	function sanitise(html: string): string {
		if (typeof html !== 'string' || html.length > MAX_HTML_LENGTH) return '';
		try {
			// The timeline parses the output again when it assigns it to innerHTML, and
			// parser error recovery can build a different tree from serialised HTML than
			// from the original (a heading nested in a heading, for one). Sanitising until
			// the output no longer changes means the tree the browser builds from it is
			// one the sanitiser has checked, and makes sanitising idempotent.
			let result = sanitiseOnce(removeActiveMarkup(html));
			for (let pass = 1; result !== undefined; pass += 1) {
				const again = sanitiseOnce(result);
				if (again === result) return result;
				if (pass >= MAX_SANITISE_PASSES) break;
				result = again;
			}
			return '';
		} catch (error) {
			// The input is not logged: it is message content.
			logger.warn('Failed to sanitise a formatted message body', { length: html.length, error });
			return '';
		}
	}
	return { sanitise };
}

function newRun(): SanitiseRun {
	return { depths: new WeakMap(), rootSeen: false, imageSources: new WeakMap(), tooDeep: false };
}

function installHooks(purify: DOMPurify, currentRun: () => SanitiseRun, elementNode: number): void {
	// Depth is counted as DOMPurify walks the tree, parents before children. An element
	// that DOMPurify unwraps hands its children to its parent, so only kept tags count.
	purify.addHook('beforeSanitizeElements', (node) => {
		const run = currentRun();
		if (!run.rootSeen) {
			// DOMPurify's walk starts with its root, at depth 0.
			run.rootSeen = true;
			run.depths.set(node, 0);
			return;
		}
		if (node.nodeType !== elementNode) return;
		const parent = node.parentNode;
		const depth = (parent ? (run.depths.get(parent) ?? 0) : 0) + 1;
		if (depth > MAX_HTML_DEPTH) {
			// The result is thrown away, and removing the subtree now keeps the rest of
			// the walk and the final serialisation short.
			run.tooDeep = true;
			parent?.removeChild(node);
			return;
		}
		run.depths.set(node, depth);
	});

	purify.addHook('uponSanitizeAttribute', (element, event) => {
		const tag = element.localName;
		const name = event.attrName;

		// The image source is checked once all attributes are seen, in the hook below.
		if (tag === 'img' && name === 'src') {
			currentRun().imageSources.set(element, event.attrValue);
			event.keepAttr = false;
			return;
		}

		const validate = attributeValidators.get(name);
		const value = ALLOWED_HTML_ATTRIBUTES.get(tag)?.has(name)
			? validate?.(event.attrValue)
			: undefined;
		if (value === undefined) {
			event.keepAttr = false;
			return;
		}
		event.attrValue = value;
	});

	purify.addHook('afterSanitizeAttributes', (element) => {
		if (element.localName === 'a' && element.hasAttribute('href')) {
			// Per the spec, web clients should put rel="noopener" on every link, so the
			// opened page cannot reach this window. noreferrer also keeps the room's URL
			// from it.
			element.setAttribute('rel', 'noopener noreferrer');
			element.setAttribute('target', '_blank');
		}

		if (element.localName === 'img') {
			// The spec allows only mxc:// sources. Anything else (https:, data:, a relative
			// URL) would load from somewhere, so the image is removed. A valid `src` wins over
			// a `data-mxc` from the input, which was validated in the hook above.
			const source = currentRun().imageSources.get(element);
			const mxc = source === undefined ? undefined : canonicalMxc(source);
			if (mxc !== undefined) element.setAttribute('data-mxc', mxc);
			else if (!element.hasAttribute('data-mxc')) element.remove();
		}
	});
}
