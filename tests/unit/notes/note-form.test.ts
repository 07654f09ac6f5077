import { describe, expect, it } from 'vitest';
import {
	changeTemplateType,
	emptyTemplate,
	formFromDraft,
	formFromNote,
	formHasContent,
	formToDraftFields,
	formToFields,
	newGoal,
	newNoteForm,
	templateFields,
	templateText,
	withTemplateText
} from '../../../src/lib/notes/note-form.ts';
import { noteDraftSchema } from '../../../src/lib/notes/drafts.ts';
import { noteFieldsSchema } from '../../../src/lib/notes/note-schema.ts';
import { CARE_ROOM, CLIENT, makeNote } from './note-fixtures.ts';

const TODAY = '2026-12-04';

describe('templates', () => {
	it('lists the fields of each template in order', () => {
		expect(templateFields('soap').map((field) => field.name)).toEqual([
			'subjective',
			'objective',
			'assessment',
			'plan'
		]);
		expect(templateFields('dap').map((field) => field.name)).toEqual([
			'data',
			'assessment',
			'plan'
		]);
		expect(templateFields('birp').map((field) => field.name)).toEqual([
			'behavior',
			'intervention',
			'response',
			'plan'
		]);
		expect(templateFields('free').map((field) => field.name)).toEqual(['text']);
	});

	it('creates empty templates that the schema accepts', () => {
		for (const type of ['soap', 'dap', 'birp', 'free'] as const) {
			const fields = formToFields(
				{ ...newNoteForm(TODAY), template: emptyTemplate(type) },
				CLIENT,
				CARE_ROOM
			);
			expect(fields.ok).toBe(true);
		}
	});

	it('ignores a field the template does not have', () => {
		const template = emptyTemplate('dap');
		expect(withTemplateText(template, 'subjective', 'x')).toBe(template);
		expect(withTemplateText(template, 'type', 'soap')).toBe(template);
		expect(templateText(template, 'type')).toBe('');
	});

	it('keeps every text when the template changes', () => {
		let soap = emptyTemplate('soap');
		soap = withTemplateText(soap, 'subjective', 'Sleeps badly');
		soap = withTemplateText(soap, 'objective', 'Restless');
		soap = withTemplateText(soap, 'plan', 'Weekly');

		const dap = changeTemplateType(soap, 'dap');
		expect(dap.type).toBe('dap');
		expect(templateText(dap, 'plan')).toBe('Weekly');
		expect(templateText(dap, 'data')).toContain('Sleeps badly');
		expect(templateText(dap, 'data')).toContain('Restless');

		const free = changeTemplateType(dap, 'free');
		expect(templateText(free, 'text')).toContain('Sleeps badly');
		expect(templateText(free, 'text')).toContain('Weekly');
	});

	it('leaves a template of the same type unchanged', () => {
		const soap = withTemplateText(emptyTemplate('soap'), 'plan', 'Weekly');
		expect(changeTemplateType(soap, 'soap')).toBe(soap);
	});
});

describe('formToFields', () => {
	it('returns note fields for a valid form', () => {
		const form = newNoteForm(TODAY);
		form.title = '  Session 5  ';
		form.template = withTemplateText(form.template, 'subjective', 'Better week');
		const result = formToFields(form, CLIENT, CARE_ROOM);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.fields.title).toBe('Session 5');
		expect(result.fields.sessionDate).toBe(TODAY);
		expect(result.fields.clientUserId).toBe(CLIENT);
		expect(noteFieldsSchema.safeParse(result.fields).success).toBe(true);
	});

	it('treats an empty session date as none', () => {
		const result = formToFields({ ...newNoteForm(TODAY), sessionDate: '' }, CLIENT, CARE_ROOM);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.fields.sessionDate).toBeNull();
	});

	it('drops empty interventions and review dates', () => {
		const goal = { ...newGoal(), description: 'Sleep 7 hours', interventions: ['CBT-I', ' '] };
		goal.reviewDates = ['2027-01-10', ''];
		const result = formToFields({ ...newNoteForm(TODAY), goals: [goal] }, CLIENT, CARE_ROOM);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.fields.goals[0]?.interventions).toEqual(['CBT-I']);
		expect(result.fields.goals[0]?.reviewDates).toEqual(['2027-01-10']);
		expect(result.fields.goals[0]?.targetDate).toBeNull();
	});

	it('names the goal that lacks a description', () => {
		const goals = [{ ...newGoal(), description: 'First' }, newGoal()];
		const result = formToFields({ ...newNoteForm(TODAY), goals }, CLIENT, CARE_ROOM);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems).toContainEqual({
			path: 'goals.1.description',
			message: 'Goal 2 needs a description.'
		});
	});

	it('reports an invalid target date and session date', () => {
		const goal = { ...newGoal(), description: 'Walk', targetDate: '2027-13-40' };
		const result = formToFields(
			{ ...newNoteForm(TODAY), sessionDate: 'tomorrow', goals: [goal] },
			CLIENT,
			CARE_ROOM
		);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		const paths = result.problems.map((problem) => problem.path);
		expect(paths).toContain('sessionDate');
		expect(paths).toContain('goals.0.targetDate');
	});

	it('rejects a client that is not a Matrix ID', () => {
		const result = formToFields(newNoteForm(TODAY), 'river', CARE_ROOM);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems[0]?.path).toBe('clientUserId');
	});
});

describe('drafts of a form', () => {
	it('round-trips a form through draft fields', () => {
		const form = formFromNote(
			makeNote({
				goals: [
					{
						id: 'goal1',
						description: 'Sleep',
						status: 'in_progress',
						targetDate: null,
						interventions: ['Diary'],
						reviewDates: ['2027-01-01']
					}
				]
			})
		);
		const fields = formToDraftFields(form, CLIENT, CARE_ROOM);
		const draft = noteDraftSchema.parse({
			draftId: 'draft1',
			noteId: null,
			baseRevision: null,
			updatedAt: 1,
			fields,
			addendum: null
		});
		expect(formFromDraft(draft.fields, TODAY)).toEqual(form);
	});

	it('keeps a half-typed date in a draft', () => {
		const fields = formToDraftFields(
			{ ...newNoteForm(TODAY), sessionDate: '2026-1' },
			CLIENT,
			CARE_ROOM
		);
		expect(fields.sessionDate).toBe('2026-1');
		expect(formFromDraft(fields, TODAY).sessionDate).toBe('2026-1');
	});

	it('fills the fields a draft lacks', () => {
		const form = formFromDraft({ title: 'Only a title' }, TODAY);
		expect(form.title).toBe('Only a title');
		expect(form.kind).toBe('progress');
		expect(form.class).toBe('record');
		expect(form.sessionDate).toBe(TODAY);
		expect(form.template.type).toBe('soap');
	});

	it('sees content only where something was typed', () => {
		expect(formHasContent(newNoteForm(TODAY))).toBe(false);
		const form = newNoteForm(TODAY);
		form.template = withTemplateText(form.template, 'plan', 'x');
		expect(formHasContent(form)).toBe(true);
		expect(formHasContent({ ...newNoteForm(TODAY), title: 'T' })).toBe(true);
	});
});
