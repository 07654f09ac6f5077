/**
 * The note editor's form: what the therapist is typing, before it is a valid
 * note. The form converts to and from a saved note and an encrypted local
 * draft, and turns schema errors into sentences that name the field.
 */
import { randomBase64Url } from './base64.ts';
import type { NoteDraft } from './drafts.ts';
import {
	GOAL_STATUSES,
	NOTE_CLASSES,
	NOTE_KINDS,
	noteFieldsSchema,
	type GoalStatus,
	type Note,
	type NoteClass,
	type NoteFields,
	type NoteKind,
	type NoteTemplate,
	type NoteTemplateType
} from './note-schema.ts';

/** One treatment-plan goal as edited; dates are `YYYY-MM-DD` or empty. */
export interface GoalForm {
	id: string;
	description: string;
	status: GoalStatus;
	targetDate: string;
	interventions: string[];
	reviewDates: string[];
}

/** The editable fields of a note. An empty `sessionDate` means no date. */
export interface NoteForm {
	kind: NoteKind;
	class: NoteClass;
	title: string;
	sessionDate: string;
	template: NoteTemplate;
	goals: GoalForm[];
}

/** One field of a template, in the order the template lists them. */
export interface TemplateField {
	name: string;
	label: string;
	/** Guidance shown under the field's label. */
	hint: string;
}

/** Templates offered in the editor, in this order. */
export const TEMPLATE_TYPES = ['soap', 'dap', 'birp', 'free'] as const satisfies NoteTemplateType[];

export const templateLabels: Record<NoteTemplateType, string> = {
	soap: 'SOAP',
	dap: 'DAP',
	birp: 'BIRP',
	free: 'Free text'
};

const templateFieldLists: Record<NoteTemplateType, TemplateField[]> = {
	soap: [
		{ name: 'subjective', label: 'Subjective', hint: 'What the client reports, in their words.' },
		{ name: 'objective', label: 'Objective', hint: 'What you observed.' },
		{ name: 'assessment', label: 'Assessment', hint: 'Your clinical impression.' },
		{ name: 'plan', label: 'Plan', hint: 'Next steps and the next session.' }
	],
	dap: [
		{ name: 'data', label: 'Data', hint: 'What the client reported and what you observed.' },
		{ name: 'assessment', label: 'Assessment', hint: 'Your clinical impression.' },
		{ name: 'plan', label: 'Plan', hint: 'Next steps and the next session.' }
	],
	birp: [
		{ name: 'behavior', label: 'Behavior', hint: 'How the client presented.' },
		{ name: 'intervention', label: 'Intervention', hint: 'What you did in the session.' },
		{ name: 'response', label: 'Response', hint: 'How the client responded.' },
		{ name: 'plan', label: 'Plan', hint: 'Next steps and the next session.' }
	],
	free: [{ name: 'text', label: 'Text', hint: '' }]
};

export const kindLabels: Record<NoteKind, string> = {
	intake: 'Intake',
	progress: 'Progress note',
	treatment_plan: 'Treatment plan',
	goal: 'Goal',
	contact_log: 'Contact log',
	free: 'Other note'
};

export const classLabels: Record<NoteClass, string> = {
	record: 'Record item (may be released to the client)',
	psychotherapy: 'Psychotherapy note (private, never released by default)'
};

export const goalStatusLabels: Record<GoalStatus, string> = {
	not_started: 'Not started',
	in_progress: 'In progress',
	met: 'Met',
	revised: 'Revised',
	discontinued: 'Discontinued'
};

/** Returns the fields of a template type, in order. */
export function templateFields(type: NoteTemplateType): TemplateField[] {
	return templateFieldLists[type];
}

/** Returns the text of one template field, or an empty string if the template has no such field. */
export function templateText(template: NoteTemplate, name: string): string {
	const value = (template as Record<string, string>)[name];
	return name === 'type' || typeof value !== 'string' ? '' : value;
}

/** Returns a copy of the template with one field's text replaced. */
export function withTemplateText(template: NoteTemplate, name: string, text: string): NoteTemplate {
	if (!templateFields(template.type).some((field) => field.name === name)) return template;
	return { ...template, [name]: text } as NoteTemplate;
}

/** Returns a template of the given type with every field empty. */
export function emptyTemplate(type: NoteTemplateType): NoteTemplate {
	const fields = Object.fromEntries(templateFields(type).map((field) => [field.name, '']));
	return { type, ...fields } as NoteTemplate;
}

/**
 * Converts a template to another type without losing text: fields with the
 * same name keep their text, and every other non-empty field is appended,
 * under its label, to the first field of the new template.
 */
export function changeTemplateType(template: NoteTemplate, type: NoteTemplateType): NoteTemplate {
	if (template.type === type) return template;
	let converted = emptyTemplate(type);
	const targetFields = templateFields(type);
	const leftOver: string[] = [];
	for (const field of templateFields(template.type)) {
		const text = templateText(template, field.name);
		if (targetFields.some((target) => target.name === field.name)) {
			converted = withTemplateText(converted, field.name, text);
		} else if (text.trim() !== '') {
			leftOver.push(`${field.label}:\n${text}`);
		}
	}
	const first = targetFields[0];
	if (first && leftOver.length > 0) {
		const existing = templateText(converted, first.name);
		converted = withTemplateText(
			converted,
			first.name,
			[...leftOver, ...(existing ? [existing] : [])].join('\n\n')
		);
	}
	return converted;
}

/** Returns a new goal with a random ID. */
export function newGoal(): GoalForm {
	return {
		id: randomBase64Url(9),
		description: '',
		status: 'not_started',
		targetDate: '',
		interventions: [],
		reviewDates: []
	};
}

/** Returns the form of a new note: a SOAP progress note in the record, dated `today`. */
export function newNoteForm(today: string): NoteForm {
	return {
		kind: 'progress',
		class: 'record',
		title: '',
		sessionDate: today,
		template: emptyTemplate('soap'),
		goals: []
	};
}

/** Returns the form that edits a saved note. */
export function formFromNote(note: Note): NoteForm {
	return {
		kind: note.kind,
		class: note.class,
		title: note.title,
		sessionDate: note.sessionDate ?? '',
		template: note.template,
		goals: note.goals.map((goal) => ({
			...goal,
			targetDate: goal.targetDate ?? '',
			interventions: [...goal.interventions],
			reviewDates: [...goal.reviewDates]
		}))
	};
}

/** Returns the draft fields that store a form on the device. */
export function formToDraftFields(
	form: NoteForm,
	clientUserId: string,
	careRoomId: string
): NoteDraft['fields'] {
	return {
		clientUserId,
		careRoomId,
		kind: form.kind,
		class: form.class,
		title: form.title,
		sessionDate: form.sessionDate === '' ? null : form.sessionDate,
		template: form.template,
		goals: form.goals.map((goal) => ({
			...goal,
			targetDate: goal.targetDate === '' ? null : goal.targetDate
		}))
	};
}

/** Returns the form stored in a draft; fields the draft lacks get the values of a new note. */
export function formFromDraft(fields: NoteDraft['fields'], today: string): NoteForm {
	const base = newNoteForm(today);
	const kind = fields.kind && NOTE_KINDS.includes(fields.kind) ? fields.kind : base.kind;
	const noteClass = fields.class && NOTE_CLASSES.includes(fields.class) ? fields.class : base.class;
	return {
		kind,
		class: noteClass,
		title: fields.title ?? base.title,
		sessionDate: fields.sessionDate === undefined ? base.sessionDate : (fields.sessionDate ?? ''),
		template: fields.template ?? base.template,
		goals: (fields.goals ?? []).map((goal) => ({
			id: goal.id || randomBase64Url(9),
			description: goal.description ?? '',
			status: goal.status && GOAL_STATUSES.includes(goal.status) ? goal.status : 'not_started',
			targetDate: goal.targetDate ?? '',
			interventions: goal.interventions ?? [],
			reviewDates: goal.reviewDates ?? []
		}))
	};
}

/** A form field that is not valid, with the sentence shown next to it. */
export interface FormProblem {
	/** Dotted path of the field, such as `goals.0.targetDate`. */
	path: string;
	message: string;
}

/** Result of {@link formToFields}. */
export type FormResult = { ok: true; fields: NoteFields } | { ok: false; problems: FormProblem[] };

function problemMessage(path: (string | number)[], fallback: string): string {
	const [first, index, field] = path;
	if (first === 'title') return 'The title has at most 200 characters.';
	if (first === 'sessionDate') return 'The session date is not a valid date. Pick one or clear it.';
	if (first === 'template') return 'This text is too long. Shorten it or split the note.';
	if (first === 'goals' && typeof index === 'number') {
		const goal = `Goal ${index + 1}`;
		if (field === 'description') return `${goal} needs a description.`;
		if (field === 'targetDate') return `${goal}: the target date is not a valid date.`;
		if (field === 'reviewDates') return `${goal}: a review date is not a valid date.`;
		if (field === 'interventions') return `${goal}: an intervention is too long.`;
		return `${goal} is not valid: ${fallback}`;
	}
	if (first === 'clientUserId') return 'The client of this note is not a valid Matrix ID.';
	if (first === 'careRoomId') return 'The care room of this note is not valid.';
	return fallback;
}

/**
 * Checks a form and returns the note fields to write. Empty interventions and
 * review dates are dropped, because an empty row is not a value.
 */
export function formToFields(form: NoteForm, clientUserId: string, careRoomId: string): FormResult {
	const candidate = {
		clientUserId,
		careRoomId,
		kind: form.kind,
		class: form.class,
		title: form.title.trim(),
		sessionDate: form.sessionDate === '' ? null : form.sessionDate,
		template: form.template,
		goals: form.goals.map((goal) => ({
			id: goal.id,
			description: goal.description,
			status: goal.status,
			targetDate: goal.targetDate === '' ? null : goal.targetDate,
			interventions: goal.interventions.filter((entry) => entry.trim() !== ''),
			reviewDates: goal.reviewDates.filter((entry) => entry !== '')
		}))
	};
	const parsed = noteFieldsSchema.safeParse(candidate);
	if (parsed.success) return { ok: true, fields: parsed.data };
	const problems = new Map<string, string>();
	for (const issue of parsed.error.issues) {
		const path = issue.path.filter(
			(part): part is string | number => typeof part === 'string' || typeof part === 'number'
		);
		const key = path.join('.');
		if (!problems.has(key)) problems.set(key, problemMessage(path, issue.message));
	}
	return { ok: false, problems: [...problems].map(([path, message]) => ({ path, message })) };
}

/** Returns true if the form contains anything typed, so an empty new note is not kept as a draft. */
export function formHasContent(form: NoteForm): boolean {
	const texts = templateFields(form.template.type).map((field) =>
		templateText(form.template, field.name)
	);
	return (
		form.title.trim() !== '' ||
		texts.some((text) => text.trim() !== '') ||
		form.goals.some((goal) => goal.description.trim() !== '' || goal.interventions.length > 0)
	);
}
