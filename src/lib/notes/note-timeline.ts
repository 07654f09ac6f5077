/**
 * Every note event in the notes room's timeline, for the history of a note,
 * for deletion (which redacts every version) and for the replay audit.
 *
 * The room state holds only each note's current version; the older versions
 * exist only as timeline events. They are read with `/messages`
 * (https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidmessages),
 * filtered to note events and redactions, paging backwards from the newest
 * event. Later updates stop at the first event already indexed, so each
 * event is fetched once per session.
 */
import { Direction, Method, type MatrixClient } from 'matrix-js-sdk';
import { toAlcoveError } from '../matrix/login.ts';
import { NOTE_EVENT_TYPE } from './event-types.ts';
import { rawNoteEventFromJson, type RawNoteEvent } from './note-reader.ts';

const PAGE_SIZE = 500;
const REDACTION_TYPE = 'm.room.redaction';

interface MessagesResponse {
	chunk: Record<string, unknown>[];
	end?: string;
}

/** Note events of one room, in timeline order, grouped by note ID. */
export class NoteTimelineIndex {
	readonly #matrixClient: MatrixClient;
	readonly #roomId: string;
	readonly #byNote = new Map<string, RawNoteEvent[]>();
	readonly #seen = new Set<string>();
	readonly #redacted = new Set<string>();
	#eventCount = 0;

	constructor(matrixClient: MatrixClient, roomId: string) {
		this.#matrixClient = matrixClient;
		this.#roomId = roomId;
	}

	/** Number of note events indexed. */
	get eventCount(): number {
		return this.#eventCount;
	}

	/** IDs of every note that has at least one event in the timeline. */
	get noteIds(): string[] {
		return [...this.#byNote.keys()];
	}

	/** Returns the events of one note, oldest first. */
	eventsOf(noteId: string): RawNoteEvent[] {
		return (this.#byNote.get(noteId) ?? []).map((event) =>
			this.#redacted.has(event.eventId) ? { ...event, content: {}, redacted: true } : event
		);
	}

	/** Records a redaction this device sent, before `/messages` returns it. */
	markRedacted(eventId: string): void {
		this.#redacted.add(eventId);
	}

	/**
	 * Fetches the events that are newer than the newest one indexed (on the
	 * first call: all of them). The events of one call are added only once all
	 * its pages have arrived, so a failed call leaves the index as it was.
	 *
	 * @returns The number of note events added.
	 * @throws AlcoveError if a request fails.
	 */
	async update(): Promise<number> {
		const fresh: RawNoteEvent[] = [];
		const redactions: string[] = [];
		const redactionEventIds: string[] = [];
		let from: string | undefined;
		let reachedIndexed = false;

		while (!reachedIndexed) {
			const page = await this.#fetchPage(from);
			for (const json of page.chunk) {
				const eventId = json.event_id;
				if (typeof eventId !== 'string') continue;
				if (this.#seen.has(eventId)) {
					reachedIndexed = true;
					break;
				}
				if (json.type === REDACTION_TYPE) {
					const redacts =
						(json.content as Record<string, unknown> | undefined)?.redacts ?? json.redacts;
					if (typeof redacts === 'string') redactions.push(redacts);
					redactionEventIds.push(eventId);
					continue;
				}
				const event = rawNoteEventFromJson(json);
				if (event) fresh.push(event);
			}
			if (!page.end || page.chunk.length === 0) break;
			from = page.end;
		}

		// Pages arrive newest first; the index keeps each note's events oldest first.
		for (const event of fresh.reverse()) {
			this.#seen.add(event.eventId);
			const events = this.#byNote.get(event.noteId) ?? [];
			events.push(event);
			this.#byNote.set(event.noteId, events);
		}
		for (const eventId of redactions) this.#redacted.add(eventId);
		for (const eventId of redactionEventIds) this.#seen.add(eventId);
		this.#eventCount += fresh.length;
		return fresh.length;
	}

	async #fetchPage(from: string | undefined): Promise<MessagesResponse> {
		const path = `/rooms/${encodeURIComponent(this.#roomId)}/messages`;
		const query: Record<string, string> = {
			dir: Direction.Backward,
			limit: String(PAGE_SIZE),
			filter: JSON.stringify({ types: [NOTE_EVENT_TYPE, REDACTION_TYPE] })
		};
		if (from) query.from = from;
		try {
			return await this.#matrixClient.http.authedRequest<MessagesResponse>(Method.Get, path, query);
		} catch (error) {
			throw toAlcoveError(error, 'Reading the notes timeline');
		}
	}
}
