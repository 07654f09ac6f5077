import { describe, expect, it } from 'vitest';
import { exportClientRecord, escapeMarkdown } from '../../../src/lib/notes/export.ts';
import { CLIENT, makeNote, makeVersion, OTHER_CLIENT } from './note-fixtures.ts';

const record = makeVersion(makeNote({ title: 'Progress in week 6', createdAt: 1000 }));
const plan = makeVersion(
	makeNote({
		kind: 'treatment_plan',
		title: 'Plan',
		createdAt: 2000,
		goals: [
			{
				id: 'g1',
				description: 'Return to work part time',
				status: 'in_progress',
				targetDate: '2027-03-01',
				interventions: ['Behavioural activation'],
				reviewDates: ['2027-01-15']
			}
		],
		addenda: [
			{ reason: 'Correction', text: 'Target moved by a month.', createdAt: 1_790_000_300_000 }
		]
	})
);
const psychotherapy = makeVersion(
	makeNote({
		class: 'psychotherapy',
		title: 'Process note',
		template: { type: 'free', text: 'Countertransference when discussing the father.' }
	})
);
const unsigned = makeVersion(
	makeNote({ status: 'draft', signedAt: null, title: 'Unfinished intake', kind: 'intake' })
);
const otherClient = makeVersion(makeNote({ clientUserId: OTHER_CLIENT, title: 'Someone else' }));
const all = [psychotherapy, plan, unsigned, record, otherClient];

describe('exportClientRecord', () => {
	it('includes only signed record items of the client by default', () => {
		const exported = exportClientRecord(all, { clientUserId: CLIENT, exportedAt: 0 });
		const json = JSON.parse(exported.json) as { notes: { noteId: string; class: string }[] };

		expect(exported.noteCount).toBe(2);
		expect(json.notes.map((note) => note.noteId)).toEqual([record.noteId, plan.noteId]);
		expect(json.notes.every((note) => note.class === 'record')).toBe(true);
		for (const text of [exported.markdown, exported.html, exported.json]) {
			expect(text).toContain('Progress in week 6');
			expect(text).not.toContain('Countertransference');
			expect(text).not.toContain('Process note');
			expect(text).not.toContain('Unfinished intake');
			expect(text).not.toContain('Someone else');
		}
	});

	it('includes psychotherapy notes only when asked', () => {
		const exported = exportClientRecord(all, {
			clientUserId: CLIENT,
			includePsychotherapyNotes: true
		});
		const json = JSON.parse(exported.json) as { includesPsychotherapyNotes: boolean };

		expect(exported.noteCount).toBe(3);
		expect(exported.markdown).toContain('Countertransference');
		expect(exported.markdown).toContain('Psychotherapy note');
		expect(json.includesPsychotherapyNotes).toBe(true);
	});

	it('includes unsigned notes only when asked', () => {
		const exported = exportClientRecord(all, { clientUserId: CLIENT, includeUnsigned: true });

		expect(exported.noteCount).toBe(3);
		expect(exported.markdown).toContain('Unfinished intake');
		expect(exported.markdown).toContain('Not signed');
	});

	it('renders goals and addenda', () => {
		const { markdown, html } = exportClientRecord([plan], { clientUserId: CLIENT });

		expect(markdown).toContain('- Return to work part time (in progress, target 2027-03-01)');
		expect(markdown).toContain('  - Intervention: Behavioural activation');
		expect(markdown).toContain('Reason: Correction');
		expect(html).toContain('<li>Intervention: Behavioural activation</li>');
		expect(html).toContain('<p>Reason: Correction</p>');
	});

	it('writes machine-readable JSON with ISO times', () => {
		const exported = exportClientRecord([record], { clientUserId: CLIENT, exportedAt: 0 });
		const json = JSON.parse(exported.json) as Record<string, unknown> & {
			notes: Record<string, unknown>[];
		};

		expect(json.format).toBe('app.alcove.record_export');
		expect(json.version).toBe(1);
		expect(json.exportedAt).toBe('1970-01-01T00:00:00.000Z');
		expect(json.notes[0]?.createdAt).toBe('1970-01-01T00:00:01.000Z');
		expect(json.notes[0]?.template).toEqual(record.note.template);
		expect(json.notes[0]).not.toHaveProperty('careRoomId');
	});

	it('escapes note text in HTML', () => {
		const hostile = makeVersion(
			makeNote({ template: { type: 'free', text: '<img src=x onerror=alert(1)> & "quotes"' } })
		);

		const { html } = exportClientRecord([hostile], { clientUserId: CLIENT });

		expect(html).not.toContain('<img');
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
		expect(html).toContain('Content-Security-Policy');
	});

	it('escapes note text in Markdown', () => {
		expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
		expect(escapeMarkdown('[link](javascript:x)')).toBe('\\[link\\](javascript:x)');
		expect(escapeMarkdown('- item\n2. item')).toBe('\\- item\n2\\. item');
		expect(escapeMarkdown('*bold* _it_ `code`')).toBe('\\*bold\\* \\_it\\_ \\`code\\`');
	});
});
