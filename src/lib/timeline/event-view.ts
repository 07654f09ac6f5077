import { EventStatus, EventType, MsgType, type MatrixEvent } from 'matrix-js-sdk';

/** How one timeline event is shown. Every event maps to exactly one of these. */
export type EventView =
	| {
			kind: 'message';
			msgtype: 'm.text' | 'm.notice' | 'm.emote';
			body: string;
			/** Sender's `formatted_body`, not yet sanitised; render only through the sanitiser. */
			formattedBody: string | undefined;
	  }
	| { kind: 'undecryptable'; failureCode: string | undefined }
	| { kind: 'decrypting' }
	| { kind: 'membership'; membership: string; targetUserId: string }
	| { kind: 'unsupported'; reason: string }
	| { kind: 'hidden' };

/** Delivery state of a message, for the local echo of our own sends. */
export type SendStatus = 'sending' | 'sent' | 'failed';

/** Maximum length of a message body that is rendered; longer bodies are cut. */
export const MAX_RENDERED_BODY = 20_000;

const textMsgtypes = new Set<string>([MsgType.Text, MsgType.Notice, MsgType.Emote]);

/** Room state that is shown in the timeline; all other state is hidden. */
const shownStateTypes = new Set<string>([EventType.RoomMember]);

function asString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/**
 * Maps an event to what the timeline shows. Content comes from other people
 * and may be malformed on purpose: every field is type-checked, and anything
 * unexpected becomes `unsupported` instead of throwing.
 */
export function toEventView(event: MatrixEvent): EventView {
	try {
		if (event.isDecryptionFailure()) {
			return { kind: 'undecryptable', failureCode: event.decryptionFailureReason ?? undefined };
		}
		if (event.isBeingDecrypted() || event.getType() === EventType.RoomMessageEncrypted) {
			// Still encrypted: the key may arrive later, and the event is then
			// decrypted in place.
			return event.isEncrypted() && event.getClearContent() === null
				? { kind: 'decrypting' }
				: { kind: 'unsupported', reason: 'encrypted event in an unexpected state' };
		}
		if (event.isRedacted()) return { kind: 'hidden' };

		const type = event.getType();
		const content: unknown = event.getContent();
		if (typeof content !== 'object' || content === null || Array.isArray(content)) {
			return { kind: 'unsupported', reason: 'content is not an object' };
		}
		const fields = content as Record<string, unknown>;

		if (event.isState()) {
			if (!shownStateTypes.has(type)) return { kind: 'hidden' };
			const membership = asString(fields.membership);
			const targetUserId = event.getStateKey();
			if (!membership || !targetUserId)
				return { kind: 'unsupported', reason: 'malformed membership' };
			return { kind: 'membership', membership, targetUserId };
		}

		if (type !== EventType.RoomMessage) {
			// Reactions, receipts, call signalling and unknown types are not shown.
			return { kind: 'hidden' };
		}
		if (Object.keys(fields).length === 0) return { kind: 'hidden' };

		const msgtype = asString(fields.msgtype);
		const body = asString(fields.body);
		if (!msgtype || body === undefined) {
			return { kind: 'unsupported', reason: 'message without msgtype or body' };
		}
		if (!textMsgtypes.has(msgtype)) {
			return { kind: 'unsupported', reason: `message type ${msgtype.slice(0, 64)}` };
		}
		const formattedBody =
			fields.format === 'org.matrix.custom.html' ? asString(fields.formatted_body) : undefined;
		return {
			kind: 'message',
			msgtype: msgtype as 'm.text' | 'm.notice' | 'm.emote',
			body: body.slice(0, MAX_RENDERED_BODY),
			formattedBody: formattedBody?.slice(0, MAX_RENDERED_BODY * 4)
		};
	} catch {
		return { kind: 'unsupported', reason: 'malformed event' };
	}
}

/** Returns the delivery state of an event as the timeline shows it. */
export function sendStatusOf(event: MatrixEvent): SendStatus {
	switch (event.status) {
		case null:
		case EventStatus.SENT:
			return 'sent';
		case EventStatus.NOT_SENT:
		case EventStatus.CANCELLED:
			return 'failed';
		default:
			return 'sending';
	}
}
