/**
 * Turning what a person types in the composer into `m.room.message` content, with GitHub
 * Flavoured Markdown for formatting.
 *
 * The typed text is the `body` unchanged. Markdown becomes an `org.matrix.custom.html`
 * `formatted_body` (https://spec.matrix.org/v1.16/client-server-api/#mroommessage-msgtypes)
 * only when the text uses it, so a plain message stays plain for every client. HTML that
 * the person types is text, never markup: someone pasting a snippet cannot send a script,
 * and the output goes through the same sanitiser as received messages in any case.
 */
import { Marked, type Token, type Tokens } from 'marked';
import { logger } from '../matrix/logger.ts';
import { createHtmlSanitiser, type HtmlSanitiser, type SanitiserWindow } from './html-sanitiser.ts';

/** Content fields of a text message, ready to merge into `m.room.message` content. */
export interface RenderedMessage {
	/** The text exactly as typed. */
	body: string;
	/** Present only together with `formatted_body`. */
	format?: 'org.matrix.custom.html';
	/** Sanitised HTML, present only when the text uses Markdown formatting. */
	formatted_body?: string;
}

const HTML_FORMAT = 'org.matrix.custom.html';

const htmlEscapes: ReadonlyMap<string, string> = new Map([
	['&', '&amp;'],
	['<', '&lt;'],
	['>', '&gt;'],
	['"', '&quot;'],
	["'", '&#39;']
]);

/** Escapes the characters that are markup in HTML text and attribute values. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => htmlEscapes.get(character) ?? character);
}

// One Marked instance with our renderer, shared by every call, because it keeps no state
// between parses.
const markdown = new Marked({
	gfm: true,
	// Chat clients treat a single line break as a break, as people expect when they type.
	breaks: true,
	async: false,
	renderer: {
		// Typed HTML, block or inline, is shown as the text it is.
		html({ text }: Tokens.HTML | Tokens.Tag): string {
			return escapeHtml(text);
		},
		// Images in a formatted body would need an mxc:// URI that the person uploaded
		// first, so an image written in Markdown becomes a link to its address.
		image({ href, text }: Tokens.Image): string {
			return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
		},
		// A task list box would be an <input>, which the sanitiser removes, so the text
		// shows the state instead.
		checkbox({ checked }: Tokens.Checkbox): string {
			return checked ? '[x] ' : '[ ] ';
		}
	}
});

// Token types that render as the text itself, so a message made of only these is plain.
// Typed HTML is among them, because it is escaped and so shows as typed.
const plainTokenTypes: ReadonlySet<string> = new Set(['paragraph', 'text', 'space', 'br', 'html']);

function usesFormatting(tokens: readonly Token[]): boolean {
	return tokens.some((token) => {
		if (!plainTokenTypes.has(token.type)) return true;
		const children: unknown = 'tokens' in token ? token.tokens : undefined;
		return Array.isArray(children) && usesFormatting(children as Token[]);
	});
}

const sanitisers = new WeakMap<SanitiserWindow, HtmlSanitiser>();

function sanitiserFor(window: SanitiserWindow): HtmlSanitiser {
	let sanitiser = sanitisers.get(window);
	if (!sanitiser) {
		sanitiser = createHtmlSanitiser(window);
		sanitisers.set(window, sanitiser);
	}
	return sanitiser;
}

/**
 * Renders typed text as message content.
 *
 * @param text - what the person typed.
 * @param window - the window whose DOM parses the HTML for sanitising.
 * @returns `{ body }` alone for plain text, and also `format` and `formatted_body` when the
 *   text uses Markdown. The message is sent as plain text as well when the HTML is empty
 *   after sanitising, or when the sanitiser rejects it for its length or nesting depth.
 * @throws Error only when `window` cannot run DOMPurify, as {@link createHtmlSanitiser} does.
 */
export function renderMarkdown(text: string, window: SanitiserWindow): RenderedMessage {
	let html: string;
	try {
		const tokens = markdown.lexer(text);
		if (!usesFormatting(tokens)) return { body: text };
		html = markdown.parser(tokens).trim();

		// Per the spec, clients should not send needless HTML, such as a paragraph element
		// around a one-paragraph message. One paragraph token renders as one <p> element.
		const blocks = tokens.filter((token) => token.type !== 'space');
		if (blocks.length === 1 && blocks[0]?.type === 'paragraph') {
			html = html.replace(/^<p>/, '').replace(/<\/p>$/, '');
		}
	} catch (error) {
		// The text is not logged: it is message content.
		logger.warn('Failed to render Markdown; sending plain text', { length: text.length, error });
		return { body: text };
	}

	const formatted = sanitiserFor(window).sanitise(html);
	if (formatted.trim() === '') return { body: text };
	return { body: text, format: HTML_FORMAT, formatted_body: formatted };
}
