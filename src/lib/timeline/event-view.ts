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

/**
 * Maximum length of a message body that is rendered; longer bodies are cut.
 * A whole event is at most 65,536 bytes, so only a server that breaks the
 * spec can deliver more.
 */
export const MAX_RENDERED_BODY = 65_536;

/** Nesting depth of content beyond which an event is not interpreted at all. */
export const MAX_CONTENT_DEPTH = 32;

const textMsgtypes = new Set<string>([MsgType.Text, MsgType.Notice, MsgType.Emote]);

/** Room state that is shown in the timeline; all other state is hidden. */
const shownStateTypes = new Set<string>([EventType.RoomMember]);

function asString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** Returns true if the value nests objects or arrays deeper than `limit`, without recursion. */
function exceedsDepth(value: unknown, limit: number): boolean {
	const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
	let visited = 0;
	while (stack.length > 0) {
		const entry = stack.pop()!;
		if (entry.depth > limit || ++visited > 10_000) return true;
		if (typeof entry.value !== 'object' || entry.value === null) continue;
		for (const child of Object.values(entry.value)) {
			stack.push({ value: child, depth: entry.depth + 1 });
		}
	}
	return false;
}

/**
 * Checks `m.relates_to` (https://spec.matrix.org/v1.16/client-server-api/#forming-relationships-between-events):
 * returns `invalid` for a malformed relation, `replacement` for an edit,
 * which the SDK applies to the original event, and `none` otherwise.
 */
function relationKind(fields: Record<string, unknown>): 'none' | 'replacement' | 'invalid' {
	if (!('m.relates_to' in fields)) return 'none';
	const relation = fields['m.relates_to'];
	if (typeof relation !== 'object' || relation === null || Array.isArray(relation)) {
		return 'invalid';
	}
	const { rel_type: relType, event_id: eventId } = relation as Record<string, unknown>;
	const inReplyTo = (relation as Record<string, unknown>)['m.in_reply_to'];
	if (relType === undefined && inReplyTo === undefined) return 'invalid';
	if (relType !== undefined && typeof relType !== 'string') return 'invalid';
	if (relType !== undefined && (typeof eventId !== 'string' || !eventId.startsWith('$'))) {
		return 'invalid';
	}
	if (
		inReplyTo !== undefined &&
		(typeof inReplyTo !== 'object' ||
			inReplyTo === null ||
			typeof (inReplyTo as Record<string, unknown>).event_id !== 'string')
	) {
		return 'invalid';
	}
	return relType === 'm.replace' ? 'replacement' : 'none';
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
		if (exceedsDepth(fields, MAX_CONTENT_DEPTH)) {
			return { kind: 'unsupported', reason: 'content nested too deeply' };
		}
		const relation = relationKind(fields);
		if (relation === 'invalid') return { kind: 'unsupported', reason: 'malformed relation' };
		if (relation === 'replacement') return { kind: 'hidden' };

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
			formattedBody
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
