import { MsgType } from 'matrix-js-sdk';
import type { RoomMessageEventContent } from 'matrix-js-sdk/lib/types';

/**
 * Builds the `m.room.message` content for what the user typed.
 * TODO: add the Markdown `formatted_body` once the content-safety module lands.
 */
export function buildMessageContent(text: string): RoomMessageEventContent {
	return { msgtype: MsgType.Text, body: text };
}
