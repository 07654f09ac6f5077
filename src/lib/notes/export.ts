/**
 * Export of a client's record: the notes a client may ask to receive, as
 * readable Markdown and HTML and as machine-readable JSON.
 *
 * Psychotherapy notes (class `psychotherapy`, the therapist's private process
 * notes) are left out unless the therapist explicitly includes them, and so
 * are unsigned notes, which are not yet part of the record. The export is
 * built on the device from decrypted notes. It leaves the device only when
 * the therapist sends or saves it.
 */
import type { ReadableNoteVersion } from './notes-service.ts';
import type { Note, NoteKind, NoteTemplate } from './note-schema.ts';

/** Selection and time stamp of an export. */
export interface RecordExportOptions {
	clientUserId: string;
	/** Include psychotherapy notes as well; false by default. */
	includePsychotherapyNotes?: boolean;
	/** Include notes that are not signed yet; false by default. */
	includeUnsigned?: boolean;
	/** Time stamped on the export, in milliseconds; now by default. */
	exportedAt?: number;
}

/** One export in three formats. */
export interface RecordExport {
	noteCount: number;
	markdown: string;
	html: string;
	/** JSON with `format: "app.alcove.record_export"`, version 1, times in ISO 8601. */
	json: string;
}

const kindLabels: Record<NoteKind, string> = {
	intake: 'Intake',
	progress: 'Progress note',
	treatment_plan: 'Treatment plan',
	goal: 'Goal',
	contact_log: 'Contact log',
	free: 'Note'
};

const templateFieldLabels: Record<string, string> = {
	subjective: 'Subjective',
	objective: 'Objective',
	assessment: 'Assessment',
	plan: 'Plan',
	data: 'Data',
	behavior: 'Behavior',
	intervention: 'Intervention',
	response: 'Response',
	text: 'Text'
};

const goalStatusLabels: Record<string, string> = {
	not_started: 'not started',
	in_progress: 'in progress',
	met: 'met',
	revised: 'revised',
	discontinued: 'discontinued'
};

/** Returns the notes that belong in a client's export, oldest first. */
export function selectRecordItems(
	versions: readonly ReadableNoteVersion[],
	options: RecordExportOptions
): ReadableNoteVersion[] {
	return versions
		.filter((version) => version.note.clientUserId === options.clientUserId)
		.filter(
			(version) => version.note.class === 'record' || options.includePsychotherapyNotes === true
		)
		.filter((version) => version.note.status === 'signed' || options.includeUnsigned === true)
		.sort((a, b) => a.note.createdAt - b.note.createdAt);
}

/** Builds a client's record export from decrypted current notes. */
export function exportClientRecord(
	versions: readonly ReadableNoteVersion[],
	options: RecordExportOptions
): RecordExport {
	const items = selectRecordItems(versions, options);
	const exportedAt = options.exportedAt ?? Date.now();
	return {
		noteCount: items.length,
		markdown: renderMarkdown(items, options, exportedAt),
		html: renderHtml(items, options, exportedAt),
		json: renderJson(items, options, exportedAt)
	};
}

function isoTime(milliseconds: number): string {
	return new Date(milliseconds).toISOString();
}

function templateSections(template: NoteTemplate): { label: string; text: string }[] {
	return Object.entries(template)
		.filter(([field]) => field !== 'type')
		.map(([field, text]) => ({
			label: templateFieldLabels[field] ?? field,
			text
		}));
}

function noteHeading(note: Note): string {
	const label = kindLabels[note.kind];
	return note.title ? `${label}: ${note.title}` : label;
}

function noteFacts(note: Note): string[] {
	const facts = [`Created ${isoTime(note.createdAt)}`];
	if (note.sessionDate) facts.push(`Session date ${note.sessionDate}`);
	facts.push(note.signedAt !== null ? `Signed ${isoTime(note.signedAt)}` : 'Not signed');
	if (note.class === 'psychotherapy') facts.push('Psychotherapy note');
	return facts;
}

/** Escapes Markdown syntax so that note text is shown as written, never as formatting. */
export function escapeMarkdown(text: string): string {
	return text
		.replace(/[\\`*_[\]<>#|~!]/g, '\\$&')
		.replace(/^(\s*)([-+=])/gm, '$1\\$2')
		.replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

function renderMarkdown(
	items: ReadableNoteVersion[],
	options: RecordExportOptions,
	exportedAt: number
): string {
	const lines = [
		`# Record of ${escapeMarkdown(options.clientUserId)}`,
		'',
		`Exported ${isoTime(exportedAt)}. ${items.length} note(s).`,
		''
	];
	for (const { note } of items) {
		lines.push(`## ${escapeMarkdown(noteHeading(note))}`, '', noteFacts(note).join(' · '), '');
		for (const section of templateSections(note.template)) {
			lines.push(`### ${section.label}`, '', escapeMarkdown(section.text) || '—', '');
		}
		if (note.goals.length > 0) {
			lines.push('### Goals', '');
			for (const goal of note.goals) {
				const target = goal.targetDate ? `, target ${goal.targetDate}` : '';
				lines.push(
					`- ${escapeMarkdown(goal.description)} (${goalStatusLabels[goal.status]}${target})`
				);
				for (const intervention of goal.interventions) {
					lines.push(`  - Intervention: ${escapeMarkdown(intervention)}`);
				}
				if (goal.reviewDates.length > 0) {
					lines.push(`  - Reviews: ${goal.reviewDates.join(', ')}`);
				}
			}
			lines.push('');
		}
		for (const addendum of note.addenda) {
			lines.push(
				`### Addendum, ${isoTime(addendum.createdAt)}`,
				'',
				`Reason: ${escapeMarkdown(addendum.reason)}`,
				'',
				escapeMarkdown(addendum.text),
				''
			);
		}
	}
	return lines.join('\n');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

function paragraphs(text: string): string {
	if (!text) return '<p>—</p>';
	return text
		.split(/\n{2,}/)
		.map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
		.join('\n');
}

function renderHtml(
	items: ReadableNoteVersion[],
	options: RecordExportOptions,
	exportedAt: number
): string {
	const body: string[] = [
		`<h1>Record of ${escapeHtml(options.clientUserId)}</h1>`,
		`<p>Exported ${isoTime(exportedAt)}. ${items.length} note(s).</p>`
	];
	for (const { note } of items) {
		body.push('<article>', `<h2>${escapeHtml(noteHeading(note))}</h2>`);
		body.push(`<p>${noteFacts(note).map(escapeHtml).join(' · ')}</p>`);
		for (const section of templateSections(note.template)) {
			body.push(`<h3>${section.label}</h3>`, paragraphs(section.text));
		}
		if (note.goals.length > 0) {
			body.push('<h3>Goals</h3>', '<ul>');
			for (const goal of note.goals) {
				const target = goal.targetDate ? `, target ${goal.targetDate}` : '';
				const details = [
					...goal.interventions.map((entry) => `<li>Intervention: ${escapeHtml(entry)}</li>`),
					...(goal.reviewDates.length > 0
						? [`<li>Reviews: ${escapeHtml(goal.reviewDates.join(', '))}</li>`]
						: [])
				];
				body.push(
					`<li>${escapeHtml(goal.description)} (${goalStatusLabels[goal.status]}${target})` +
						(details.length > 0 ? `<ul>${details.join('')}</ul>` : '') +
						'</li>'
				);
			}
			body.push('</ul>');
		}
		for (const addendum of note.addenda) {
			body.push(
				`<h3>Addendum, ${isoTime(addendum.createdAt)}</h3>`,
				`<p>Reason: ${escapeHtml(addendum.reason)}</p>`,
				paragraphs(addendum.text)
			);
		}
		body.push('</article>');
	}
	// A standalone document without scripts or external resources, so it can be
	// opened from a file without loading anything.
	return [
		'<!doctype html>',
		'<html lang="en">',
		'<head>',
		'<meta charset="utf-8">',
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
		`<title>Record of ${escapeHtml(options.clientUserId)}</title>`,
		'</head>',
		'<body>',
		...body,
		'</body>',
		'</html>',
		''
	].join('\n');
}

function renderJson(
	items: ReadableNoteVersion[],
	options: RecordExportOptions,
	exportedAt: number
): string {
	return JSON.stringify(
		{
			format: 'app.alcove.record_export',
			version: 1,
			exportedAt: isoTime(exportedAt),
			clientUserId: options.clientUserId,
			includesPsychotherapyNotes: options.includePsychotherapyNotes === true,
			includesUnsignedNotes: options.includeUnsigned === true,
			// Times are ISO 8601 in UTC, which other systems read without knowing
			// that Matrix counts milliseconds. The care room ID and revision are
			// internal to Alcove and left out.
			notes: items.map(({ noteId, note }) => ({
				noteId,
				clientUserId: note.clientUserId,
				kind: note.kind,
				class: note.class,
				title: note.title,
				sessionDate: note.sessionDate,
				template: note.template,
				goals: note.goals,
				status: note.status,
				createdAt: isoTime(note.createdAt),
				updatedAt: isoTime(note.updatedAt),
				signedAt: note.signedAt === null ? null : isoTime(note.signedAt),
				addenda: note.addenda.map((addendum) => ({
					reason: addendum.reason,
					text: addendum.text,
					createdAt: isoTime(addendum.createdAt)
				}))
			}))
		},
		null,
		2
	);
}
