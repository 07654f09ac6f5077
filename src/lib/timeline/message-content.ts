import { MsgType } from 'matrix-js-sdk';
import type { RoomMessageEventContent } from 'matrix-js-sdk/lib/types';
import type { SanitiserWindow } from '../content/html-sanitiser.ts';
import { renderMarkdown } from '../content/markdown.ts';

/**
 * Builds the `m.room.message` content for what the user typed: the text as
 * `body`, and sanitised HTML as `formatted_body` when the text uses Markdown.
 */
export function buildMessageContent(
	text: string,
	window: SanitiserWindow = globalThis.window
): RoomMessageEventContent {
	return { msgtype: MsgType.Text, ...renderMarkdown(text, window) };
}
