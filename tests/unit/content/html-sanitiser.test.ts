import fc from 'fast-check';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	createHtmlSanitiser,
	type HtmlSanitiser,
	MAX_HTML_LENGTH,
	safeLinkHref,
	type SanitiserWindow
} from '../../../src/lib/content/html-sanitiser.ts';
import { isValidMxcUri } from '../../../src/lib/content/mxc.ts';
import { allowedHtmlCorpus, hostileHtmlCorpus } from './hostile-html-corpus.ts';

// The spec's table of permitted tags and attributes
// (https://spec.matrix.org/v1.16/client-server-api/#mroommessage-msgtypes), written out
// again here rather than imported, so that a change to the sanitiser's own list cannot
// pass unnoticed. `rel` and `target` on links and `data-mxc` on images are what the
// sanitiser adds itself.
const specAttributes = new Map<string, readonly string[]>([
	['font', ['data-mx-bg-color', 'data-mx-color', 'color']],
	['span', ['data-mx-bg-color', 'data-mx-color', 'data-mx-spoiler', 'data-mx-maths']],
	['a', ['href', 'rel', 'target']],
	['img', ['width', 'height', 'alt', 'title', 'data-mxc']],
	['ol', ['start']],
	['code', ['class']],
	['div', ['data-mx-maths']]
]);
const specTags = new Set(
	'font del h1 h2 h3 h4 h5 h6 blockquote p a ul ol sup sub li b i u strong em s code hr br div table thead tbody tr th td caption pre span img details summary'.split(
		' '
	)
);

let window: SanitiserWindow & JSDOM['window'];
let sanitiser: HtmlSanitiser;

beforeAll(() => {
	window = new JSDOM('').window as unknown as SanitiserWindow & JSDOM['window'];
	sanitiser = createHtmlSanitiser(window);
});

/** Parses sanitiser output the way the timeline will, into an inert template. */
function parse(html: string): DocumentFragment {
	const template = window.document.createElement('template');
	template.innerHTML = html;
	return template.content;
}

/** Lists every way `html` breaks the allowlist, as readable strings; empty when it is safe. */
function allowlistViolations(html: string): string[] {
	const violations: string[] = [];
	for (const element of parse(html).querySelectorAll('*')) {
		const tag = element.localName;
		if (!specTags.has(tag) || element.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
			violations.push(`element <${tag}>`);
		}
		for (const { name, value } of Array.from(element.attributes)) {
			if (/^on/i.test(name)) violations.push(`handler ${name} on <${tag}>`);
			if (!(specAttributes.get(tag) ?? []).includes(name)) {
				violations.push(`attribute ${name} on <${tag}>`);
			}
			if (name === 'href' && !/^(?:https?|mailto):/.test(value)) {
				violations.push(`link to ${value}`);
			}
			if (name === 'data-mxc' && !isValidMxcUri(value)) violations.push(`image ${value}`);
		}
		if (tag === 'a' && element.hasAttribute('href')) {
			if (element.getAttribute('rel') !== 'noopener noreferrer') violations.push('link rel');
			if (element.getAttribute('target') !== '_blank') violations.push('link target');
		}
	}
	return violations;
}

describe('createHtmlSanitiser', () => {
	describe.each(hostileHtmlCorpus)('hostile payload: $name', ({ html, expected }) => {
		it('should give the expected output', () => {
			expect(sanitiser.sanitise(html)).toBe(expected);
		});

		it('should keep only allowed elements and attributes', () => {
			expect(allowlistViolations(sanitiser.sanitise(html))).toEqual([]);
		});

		it('should give the same output when run again', () => {
			const once = sanitiser.sanitise(html);
			expect(sanitiser.sanitise(once)).toBe(once);
		});
	});

	describe.each(allowedHtmlCorpus)('allowed formatting: $name', ({ html, expected }) => {
		it('should keep the formatting', () => {
			expect(sanitiser.sanitise(html)).toBe(expected);
		});

		it('should keep only allowed elements and attributes', () => {
			expect(allowlistViolations(sanitiser.sanitise(html))).toEqual([]);
		});
	});

	it('should have a corpus of at least 60 hostile payloads', () => {
		expect(hostileHtmlCorpus.length).toBeGreaterThanOrEqual(60);
	});

	it('should accept input at the length limit', () => {
		const html = `<b>${'a'.repeat(MAX_HTML_LENGTH - 7)}</b>`;
		expect(html.length).toBe(MAX_HTML_LENGTH);
		expect(sanitiser.sanitise(html)).toBe(html);
	});

	it('should reject input one character over the length limit', () => {
		expect(sanitiser.sanitise(`<b>${'a'.repeat(MAX_HTML_LENGTH - 6)}</b>`)).toBe('');
	});

	it('should not count unwrapped tags towards the depth', () => {
		const html = `${'<x-wrapper>'.repeat(150)}<b>kept</b>`;
		expect(sanitiser.sanitise(html)).toBe('<b>kept</b>');
	});

	it('should return an empty string for a value that is not a string', () => {
		expect(sanitiser.sanitise(42 as unknown as string)).toBe('');
		expect(sanitiser.sanitise(null as unknown as string)).toBe('');
	});

	it('should leave text without markup as it is', () => {
		expect(sanitiser.sanitise('a &amp; b')).toBe('a &amp; b');
	});

	it('should not share hooks with a second sanitiser', () => {
		const other = createHtmlSanitiser(new JSDOM('').window as unknown as SanitiserWindow);
		expect(other.sanitise('<a href="https://example.org/">x</a>')).toBe(
			'<a href="https://example.org/" rel="noopener noreferrer" target="_blank">x</a>'
		);
		expect(sanitiser.sanitise('<img src="mxc://example.org/a">')).toBe(
			'<img data-mxc="mxc://example.org/a">'
		);
	});
});

describe('safeLinkHref', () => {
	it.each([
		['https://example.org', 'https://example.org/'],
		['http://example.org/a?b#c', 'http://example.org/a?b#c'],
		['mailto:care@clinic.example', 'mailto:care@clinic.example'],
		['HTTPS://EXAMPLE.ORG/', 'https://example.org/']
	])('should accept %s', (href, expected) => {
		expect(safeLinkHref(href)).toBe(expected);
	});

	it.each([
		'javascript:alert(1)',
		' javascript:alert(1)',
		'java\tscript:alert(1)',
		'data:text/html,x',
		'vbscript:x',
		'//evil.example',
		'/relative',
		'relative',
		'https://user:pass@example.org/',
		'blob:https://example.org/uuid',
		'matrix:u/alice:example.org',
		'mxc://example.org/abc'
	])('should reject %s', (href) => {
		expect(safeLinkHref(href)).toBeUndefined();
	});
});

// Building blocks for generated markup: tags from inside and outside the allowlist, and
// attributes that are allowed, forbidden, or allowed with a hostile value.
const generatedTags = [
	...specTags,
	'script',
	'style',
	'svg',
	'math',
	'mtext',
	'mglyph',
	'iframe',
	'form',
	'input',
	'noscript',
	'template',
	'textarea',
	'xmp',
	'title',
	'object',
	'mx-reply',
	'x-custom',
	'select',
	'option',
	'foreignobject',
	'desc',
	'annotation-xml'
];
const generatedAttributes: ReadonlyArray<readonly [string, string]> = [
	['href', 'https://example.org/'],
	['href', 'javascript:alert(1)'],
	['href', 'java&#x09;script:alert(1)'],
	['src', 'mxc://example.org/abc'],
	['src', 'https://evil.example/x.png'],
	['src', 'x'],
	['onerror', 'alert(1)'],
	['onclick', 'alert(1)'],
	['style', 'color:red'],
	['id', 'clobber'],
	['name', 'attributes'],
	['data-mx-color', '#ff0000'],
	['data-mx-color', 'red'],
	['data-mx-spoiler', ''],
	['class', 'language-js'],
	['class', 'x'],
	['start', '2'],
	['title', '</style><img src=x onerror=alert(1)>'],
	['alt', '"><script>alert(1)</script>'],
	['xlink:href', 'javascript:alert(1)'],
	['formaction', 'javascript:alert(1)'],
	['srcdoc', '<script>alert(1)</script>']
];

/**
 * Markup trees from the tags and attributes above, with text drawn from `textCharacters`.
 * Attribute values are always quoted, with their quotes escaped.
 */
function generatedHtml(
	textCharacters: RegExp,
	attributes: ReadonlyArray<readonly [string, string]>
): fc.Arbitrary<string> {
	const text = fc.stringMatching(textCharacters);
	const { node } = fc.letrec<{ node: string }>((tie) => ({
		node: fc.oneof(
			{ depthSize: 'small', withCrossShrink: true },
			text,
			fc
				.record({
					tag: fc.constantFrom(...generatedTags),
					attributes: fc.array(fc.constantFrom(...attributes), { maxLength: 3 }),
					children: fc.array(tie('node'), { maxLength: 4 }),
					closed: fc.boolean()
				})
				.map(({ tag, attributes, children, closed }) => {
					const attributeText = attributes
						.map(([name, value]) => ` ${name}="${value.replaceAll('"', '&quot;')}"`)
						.join('');
					return `<${tag}${attributeText}>${children.join('')}${closed ? `</${tag}>` : ''}`;
				})
		)
	}));
	return node;
}

// Text of letters and spaces cannot start markup or spell a handler or a scheme, so any
// `on…=` or `javascript:` in the output is markup that got through. Attribute values with
// a "<" are left out here because inside <script> or <style> an attribute's "</script>"
// ends the element and turns the rest of the tag into text.
const plainTextTrees = generatedHtml(
	/^[a-z ]{0,12}$/,
	generatedAttributes.filter(([, value]) => !value.includes('<'))
);
// Text with brackets, quotes and entities can break the markup around it apart, and then
// pieces of attributes become harmless text.
const markupTextTrees = generatedHtml(/^[a-z <>&;"'/!=:-]{0,12}$/, generatedAttributes);

// Arbitrary strings weighted towards the pieces that HTML parsers treat specially.
const markupSoup = fc
	.array(
		fc.oneof(
			fc.constantFrom(
				'<',
				'>',
				'</',
				'/>',
				'"',
				"'",
				'=',
				' ',
				'&',
				'&#x3c;',
				'<!--',
				'-->',
				'<![CDATA[',
				']]>',
				'script',
				'svg',
				'math',
				'style',
				'img',
				'a',
				'b',
				'p',
				'table',
				'mglyph',
				'noscript',
				'href',
				'src',
				'onerror',
				'javascript:',
				'mxc://example.org/abc'
			),
			fc.string({ maxLength: 3 })
		),
		{ maxLength: 40 }
	)
	.map((parts) => parts.join(''));

function handlerAttributes(html: string): string[] {
	return Array.from(parse(html).querySelectorAll('*')).flatMap((element) =>
		Array.from(element.attributes)
			.filter(({ name }) => /^on/i.test(name))
			.map(({ name }) => name)
	);
}

/** Removes spaces and control characters, which URL parsers strip or skip inside a scheme. */
function compactUrl(value: string): string {
	return Array.from(value)
		.filter((character) => character.charCodeAt(0) > 0x20)
		.join('');
}

function javascriptUrls(html: string): string[] {
	return Array.from(parse(html).querySelectorAll('*')).flatMap((element) =>
		Array.from(element.attributes)
			.filter(({ value }) => /javascript:/i.test(compactUrl(value)))
			.map(({ value }) => value)
	);
}

// Text may contain the words "onclick=" or "javascript:" and stay harmless, so for input
// that can produce such text, handlers and URLs are looked for in the parsed output.
function expectNoActiveContent(output: string): void {
	expect(output).not.toMatch(/<script/i);
	expect(handlerAttributes(output)).toEqual([]);
	expect(javascriptUrls(output)).toEqual([]);
	expect(allowlistViolations(output)).toEqual([]);
}

describe('createHtmlSanitiser properties', () => {
	it('should be idempotent on generated markup', () => {
		fc.assert(
			fc.property(fc.oneof(plainTextTrees, markupTextTrees), (html) => {
				const once = sanitiser.sanitise(html);
				expect(sanitiser.sanitise(once)).toBe(once);
			}),
			{ numRuns: 500 }
		);
	});

	it('should leave no script, handler or javascript url in generated markup', () => {
		fc.assert(
			fc.property(plainTextTrees, (html) => {
				const output = sanitiser.sanitise(html);
				expect(output).not.toMatch(/<script/i);
				expect(output).not.toMatch(/on\w+=/i);
				expect(output).not.toMatch(/javascript:/i);
				expect(allowlistViolations(output)).toEqual([]);
			}),
			{ numRuns: 500 }
		);
	});

	it('should leave no active content in generated markup with markup-like text', () => {
		fc.assert(
			fc.property(markupTextTrees, (html) => expectNoActiveContent(sanitiser.sanitise(html))),
			{ numRuns: 500 }
		);
	});

	const arbitraryStrings = fc.oneof(markupSoup, fc.string({ unit: 'binary', maxLength: 60 }));

	it('should be idempotent on arbitrary strings', () => {
		fc.assert(
			fc.property(arbitraryStrings, (html) => {
				const once = sanitiser.sanitise(html);
				expect(sanitiser.sanitise(once)).toBe(once);
			}),
			{ numRuns: 500 }
		);
	});

	it('should leave no active content in arbitrary strings', () => {
		fc.assert(
			fc.property(arbitraryStrings, (html) => expectNoActiveContent(sanitiser.sanitise(html))),
			{ numRuns: 500 }
		);
	});
});
