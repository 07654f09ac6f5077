/**
 * A first pass over untrusted HTML that runs before DOMPurify, without a DOM.
 *
 * DOMPurify parses its input with the browser's DOMParser. That document never
 * runs script, but Chromium still checks its inline event handlers, style
 * attributes and `<base>` against the page's Content Security Policy and
 * reports each one as a violation of the page, which buries a real violation
 * among thousands of harmless ones. parse5 builds the same tree as a browser
 * (it implements the HTML standard's tree construction) in plain JavaScript,
 * so the attributes and elements that raise those reports are gone before any
 * browser parser sees them. DOMPurify stays the sanitiser that decides what is
 * kept; this pass only removes.
 */
import { parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';

type ChildNode = DefaultTreeAdapterMap['childNode'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];

/** Elements removed with their content: they load, run or restyle things. */
const REMOVED_ELEMENTS = new Set([
	'script',
	'style',
	'base',
	'link',
	'meta',
	'iframe',
	'frame',
	'frameset',
	'object',
	'embed',
	'applet',
	'svg',
	'math',
	'template',
	'noscript',
	'noembed',
	'noframes',
	'xmp',
	'audio',
	'video',
	'source',
	'track',
	'portal'
]);

function isRemovedAttribute(name: string): boolean {
	const lower = name.toLowerCase();
	return (
		lower.startsWith('on') || lower === 'style' || lower === 'srcset' || lower === 'formaction'
	);
}

/** Returns the HTML without event handlers, style attributes and active elements. */
export function removeActiveMarkup(html: string): string {
	const fragment = parseFragment(html);
	// An explicit stack instead of recursion: the input may nest thousands deep.
	const stack: ParentNode[] = [fragment];
	while (stack.length > 0) {
		const parent = stack.pop()!;
		parent.childNodes = parent.childNodes.filter((child: ChildNode) => {
			if (!('tagName' in child)) return true;
			if (REMOVED_ELEMENTS.has(child.tagName)) return false;
			child.attrs = child.attrs.filter((attribute) => !isRemovedAttribute(attribute.name));
			stack.push(child);
			return true;
		});
	}
	return serialize(fragment);
}
