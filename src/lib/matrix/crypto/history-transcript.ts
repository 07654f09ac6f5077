/**
 * Threat model: a history transcript carries decrypted messages of a care room
 * from a member's device to a newly invited colleague, so it is as sensitive
 * as the conversation. It only ever leaves the sharing device encrypted: the
 * JSON is sealed as an encrypted attachment (AES-256-CTR with a SHA-256 hash,
 * https://spec.matrix.org/v1.16/client-server-api/#sending-encrypted-attachments),
 * and the key travels in an Olm-encrypted to-device message. Everything
 * decoded here comes from another device and is validated before use; a
 * transcript for another room or from another sender is rejected.
 */
import { z } from 'zod';

/** To-device event type that points a colleague's device at a transcript. */
export const ROOM_HISTORY_MESSAGE_TYPE = 'app.alcove.room_history';

/** Version of the transcript JSON; a receiver rejects versions it does not know. */
export const TRANSCRIPT_VERSION = 1;

/** Largest transcript accepted, in bytes: Synapse's default `max_upload_size` of 50 MiB. */
export const MAX_TRANSCRIPT_BYTES = 50 * 1024 * 1024;

/** Event types a transcript carries: what people wrote, not state or call signalling. */
export const SHARED_EVENT_TYPES: readonly string[] = ['m.room.message', 'm.sticker'];

/** One message of the shared history, decrypted by the sharing device. */
export interface SharedHistoryEvent {
	eventId: string;
	sender: string;
	/** When the homeserver received the event, in milliseconds since the epoch. */
	originServerTs: number;
	type: string;
	content: Record<string, unknown>;
}

/**
 * Earlier messages of a room, shared by a member when they invited this user.
 * The sharing device vouches for them: it decrypted them, but their senders'
 * signatures do not travel with them.
 */
export interface SharedRoomHistory {
	roomId: string;
	sharedBy: string;
	sharedByDeviceId: string;
	/** In the room's order, oldest first. */
	events: SharedHistoryEvent[];
}

const encryptedFileSchema = z.object({
	url: z.string().startsWith('mxc://'),
	key: z.object({
		kty: z.literal('oct'),
		key_ops: z.array(z.string()),
		alg: z.literal('A256CTR'),
		k: z.string().min(1),
		ext: z.literal(true)
	}),
	iv: z.string().min(1),
	hashes: z.object({ sha256: z.string().min(1) }),
	v: z.literal('v2')
});

/** Content of the to-device message that announces a transcript. */
export const roomHistoryMessageSchema = z.object({
	room_id: z.string().startsWith('!'),
	file: encryptedFileSchema,
	event_count: z.number().int().nonnegative()
});

export type RoomHistoryMessage = z.infer<typeof roomHistoryMessageSchema>;

const sharedEventSchema = z.object({
	event_id: z.string().startsWith('$'),
	sender: z.string().startsWith('@'),
	origin_server_ts: z.number().int().nonnegative(),
	type: z.string().refine((type) => SHARED_EVENT_TYPES.includes(type)),
	content: z.record(z.string(), z.unknown())
});

const transcriptSchema = z.object({
	version: z.literal(TRANSCRIPT_VERSION),
	room_id: z.string(),
	shared_by: z.string(),
	events: z.array(sharedEventSchema)
});

/** Serialises a transcript to the bytes that get encrypted and uploaded. */
export function encodeTranscript(
	roomId: string,
	sharedBy: string,
	events: readonly SharedHistoryEvent[]
): Uint8Array<ArrayBuffer> {
	const transcript: z.infer<typeof transcriptSchema> = {
		version: TRANSCRIPT_VERSION,
		room_id: roomId,
		shared_by: sharedBy,
		events: events.map((event) => ({
			event_id: event.eventId,
			sender: event.sender,
			origin_server_ts: event.originServerTs,
			type: event.type,
			content: event.content
		}))
	};
	return new TextEncoder().encode(JSON.stringify(transcript));
}

/**
 * Parses decrypted transcript bytes and checks that they belong to the room
 * and sender that the to-device message named.
 *
 * @throws Error naming the first problem: not JSON, wrong shape, or a room or
 *   sender other than expected.
 */
export function decodeTranscript(
	bytes: ArrayBuffer,
	expected: { roomId: string; sharedBy: string }
): SharedHistoryEvent[] {
	const parsed = transcriptSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
	if (!parsed.success) {
		throw new Error(`Malformed history transcript: ${parsed.error.issues[0]?.message}`);
	}
	const transcript = parsed.data;
	if (transcript.room_id !== expected.roomId) {
		throw new Error('The history transcript is for another room');
	}
	if (transcript.shared_by !== expected.sharedBy) {
		throw new Error('The history transcript names another sender');
	}
	return transcript.events.map((event) => ({
		eventId: event.event_id,
		sender: event.sender,
		originServerTs: event.origin_server_ts,
		type: event.type,
		content: event.content
	}));
}
