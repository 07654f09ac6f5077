/**
 * The plaintext of a note: the JSON that is encrypted into each
 * `app.alcove.note` state event. Every decrypted note is validated against
 * {@link notePlaintextSchema} before anything reads it, because the same key
 * could have been used by a buggy or older client to write something else.
 */
import { z } from 'zod';
import { userIdSchema } from '../matrix/matrix-id.ts';

/** Maximum length of one text field, in UTF-16 code units. The whole note must still fit one event. */
export const MAX_FIELD_LENGTH = 20_000;

const text = z.string().max(MAX_FIELD_LENGTH);
const requiredText = text.trim().min(1);
const shortText = z.string().max(200);
/** Milliseconds since the Unix epoch, like `origin_server_ts`. */
const timestamp = z.int().nonnegative();
/** A calendar date without a time zone, such as a target or review date: `YYYY-MM-DD`. */
const calendarDate = z.iso.date();

/**
 * Room ID of the client's care room. Room version 12 IDs have no server part
 * (`!` and a hash), earlier versions have one (`!opaque:server`).
 */
export const roomIdSchema = z
	.string()
	.max(255)
	.regex(/^![^\s:]+(?::\S+)?$/, 'A room ID starts with "!".');

/** Kinds of note. */
export const NOTE_KINDS = [
	'intake',
	'progress',
	'treatment_plan',
	'goal',
	'contact_log',
	'free'
] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/**
 * `psychotherapy`: the therapist's private process notes, kept apart from the
 * record and never exported unless the therapist explicitly includes them.
 * `record`: progress notes, plans and goals that may be released to the client.
 */
export const NOTE_CLASSES = ['psychotherapy', 'record'] as const;
export type NoteClass = (typeof NOTE_CLASSES)[number];

/** Status of a treatment-plan goal. */
export const GOAL_STATUSES = [
	'not_started',
	'in_progress',
	'met',
	'revised',
	'discontinued'
] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

/**
 * Structured body of a note: SOAP (subjective, objective, assessment, plan),
 * DAP (data, assessment, plan), BIRP (behavior, intervention, response, plan),
 * or free text.
 */
export const noteTemplateSchema = z.discriminatedUnion('type', [
	z.strictObject({
		type: z.literal('soap'),
		subjective: text,
		objective: text,
		assessment: text,
		plan: text
	}),
	z.strictObject({ type: z.literal('dap'), data: text, assessment: text, plan: text }),
	z.strictObject({
		type: z.literal('birp'),
		behavior: text,
		intervention: text,
		response: text,
		plan: text
	}),
	z.strictObject({ type: z.literal('free'), text })
]);
export type NoteTemplate = z.infer<typeof noteTemplateSchema>;
export type NoteTemplateType = NoteTemplate['type'];

/** One goal of a treatment plan. */
export const treatmentGoalSchema = z.strictObject({
	/** Stable identifier of the goal within the note, so reviews can refer to it. */
	id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
	description: requiredText,
	status: z.enum(GOAL_STATUSES),
	targetDate: calendarDate.nullable(),
	interventions: z.array(text).max(50),
	reviewDates: z.array(calendarDate).max(100)
});
export type TreatmentGoal = z.infer<typeof treatmentGoalSchema>;

/** A later addition to a signed note, which itself stays unchanged. */
export const addendumSchema = z.strictObject({
	reason: requiredText,
	text: requiredText,
	createdAt: timestamp
});
export type Addendum = z.infer<typeof addendumSchema>;

/** The fields a therapist writes; the rest of a note is kept by the notes layer. */
export const noteFieldsSchema = z.strictObject({
	/** Matrix ID of the therapy client the note is about. */
	clientUserId: userIdSchema,
	/** The care room of that client, so a note can be shown next to the conversation. */
	careRoomId: roomIdSchema,
	kind: z.enum(NOTE_KINDS),
	class: z.enum(NOTE_CLASSES),
	/** Short label shown in lists; it may be empty. */
	title: shortText,
	/** Date of the session or contact the note documents, if any. */
	sessionDate: calendarDate.nullable(),
	template: noteTemplateSchema,
	goals: z.array(treatmentGoalSchema).max(100)
});
export type NoteFields = z.infer<typeof noteFieldsSchema>;

/** The complete decrypted note of one version. */
export const notePlaintextSchema = noteFieldsSchema
	.extend({
		status: z.enum(['draft', 'signed']),
		signedAt: timestamp.nullable(),
		addenda: z.array(addendumSchema).max(200),
		createdAt: timestamp,
		updatedAt: timestamp,
		/**
		 * 1 for the first version, one more for each later version. It lives in
		 * the ciphertext, so the server can neither read nor change it, and a
		 * device detects an old version shown as current by comparing it.
		 */
		revision: z.int().min(1)
	})
	.superRefine((note, context) => {
		if ((note.status === 'signed') !== (note.signedAt !== null)) {
			context.addIssue({
				code: 'custom',
				path: ['signedAt'],
				message: 'A signed note has a signing time, and only a signed note has one.'
			});
		}
		if (note.status === 'draft' && note.addenda.length > 0) {
			context.addIssue({
				code: 'custom',
				path: ['addenda'],
				message: 'Only a signed note has addenda.'
			});
		}
		if (note.updatedAt < note.createdAt) {
			context.addIssue({
				code: 'custom',
				path: ['updatedAt'],
				message: 'A note cannot be updated before it was created.'
			});
		}
	});
export type Note = z.infer<typeof notePlaintextSchema>;
