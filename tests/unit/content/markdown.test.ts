import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SanitiserWindow } from '../../../src/lib/content/html-sanitiser.ts';
import { escapeHtml, renderMarkdown } from '../../../src/lib/content/markdown.ts';

let window: SanitiserWindow;

beforeAll(() => {
	window = new JSDOM('').window as unknown as SanitiserWindow;
});

const LINK_ATTRIBUTES = 'rel="noopener noreferrer" target="_blank"';

describe('renderMarkdown', () => {
	it.each([
		['a word', 'hello'],
		['sentences with punctuation', 'Thanks, see you on Tuesday. 3 * 4 = 12!'],
		['line breaks', 'first line\nsecond line'],
		['paragraphs', 'first\n\nsecond'],
		['typed HTML', '<b>not bold</b> and <script>alert(1)</script>'],
		['an HTML comment', '<!-- note -->'],
		['entities', 'AT&amp;T &lt;3'],
		['an empty string', ''],
		['only a link definition', '[a]: https://example.org']
	])('should leave %s plain', (_description, text) => {
		expect(renderMarkdown(text, window)).toEqual({ body: text });
	});

	it('should render bold as strong', () => {
		expect(renderMarkdown('**bold**', window)).toEqual({
			body: '**bold**',
			format: 'org.matrix.custom.html',
			formatted_body: '<strong>bold</strong>'
		});
	});

	it('should show typed script tags as text', () => {
		const rendered = renderMarkdown('**note:** <script>alert(1)</script>', window);
		expect(rendered.body).toBe('**note:** <script>alert(1)</script>');
		expect(rendered.formatted_body).toBe(
			'<strong>note:</strong> &lt;script&gt;alert(1)&lt;/script&gt;'
		);
	});

	it('should show a typed HTML block as text', () => {
		const rendered = renderMarkdown('# Title\n\n<iframe src="https://evil.example/">', window);
		expect(rendered.formatted_body).toBe(
			'<h1>Title</h1>\n&lt;iframe src="https://evil.example/"&gt;'
		);
	});

	it('should give links rel and target', () => {
		expect(renderMarkdown('[our clinic](https://clinic.example/)', window).formatted_body).toBe(
			`<a href="https://clinic.example/" ${LINK_ATTRIBUTES}>our clinic</a>`
		);
	});

	it('should link bare URLs and email addresses', () => {
		expect(renderMarkdown('see https://clinic.example or care@clinic.example', window)).toEqual({
			body: 'see https://clinic.example or care@clinic.example',
			format: 'org.matrix.custom.html',
			formatted_body: `see <a href="https://clinic.example/" ${LINK_ATTRIBUTES}>https://clinic.example</a> or <a href="mailto:care@clinic.example" ${LINK_ATTRIBUTES}>care@clinic.example</a>`
		});
	});

	it('should drop a javascript link target', () => {
		expect(renderMarkdown('[click](javascript:alert(1))', window).formatted_body).toBe(
			'<a>click</a>'
		);
	});

	it('should turn an image into a link', () => {
		expect(renderMarkdown('![chart](https://example.org/chart.png)', window).formatted_body).toBe(
			`<a href="https://example.org/chart.png" ${LINK_ATTRIBUTES}>chart</a>`
		);
	});

	it('should show task list boxes as text', () => {
		expect(renderMarkdown('- [ ] call\n- [x] write', window).formatted_body).toBe(
			'<ul>\n<li>[ ] call</li>\n<li>[x] write</li>\n</ul>'
		);
	});

	it('should keep a code block language and escape its content', () => {
		expect(renderMarkdown('```html\n<b>x</b>\n```', window).formatted_body).toBe(
			'<pre><code class="language-html">&lt;b&gt;x&lt;/b&gt;\n</code></pre>'
		);
	});

	it('should keep the start of a numbered list', () => {
		expect(renderMarkdown('3. three\n4. four', window).formatted_body).toBe(
			'<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'
		);
	});

	it('should render line breaks in formatted text', () => {
		expect(renderMarkdown('*a*\nb', window).formatted_body).toBe('<em>a</em><br>b');
	});

	it('should render strikethrough and tables', () => {
		expect(renderMarkdown('~~old~~', window).formatted_body).toBe('<del>old</del>');
		expect(renderMarkdown('| a |\n|---|\n| 1 |', window).formatted_body).toBe(
			'<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody><tr>\n<td>1</td>\n</tr>\n</tbody></table>'
		);
	});

	it('should render a backslash escape', () => {
		expect(renderMarkdown('\\*not emphasis\\*', window).formatted_body).toBe('*not emphasis*');
	});

	it('should send plain text when the quotes nest deeper than the spec allows', () => {
		const text = `${'> '.repeat(120)}deep`;
		expect(renderMarkdown(text, window)).toEqual({ body: text });
	});

	it('should keep the paragraphs of a longer message', () => {
		expect(renderMarkdown('**a**\n\nb', window).formatted_body).toBe(
			'<p><strong>a</strong></p>\n<p>b</p>'
		);
	});
});

describe('escapeHtml', () => {
	it('should escape markup characters', () => {
		expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
			'&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'
		);
	});
});
