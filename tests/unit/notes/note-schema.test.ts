import { describe, expect, it } from 'vitest';
import { notePlaintextSchema, type Note } from '../../../src/lib/notes/note-schema.ts';
import { makeNote } from './note-fixtures.ts';

function issuesOf(value: unknown): string[] {
	const result = notePlaintextSchema.safeParse(value);
	return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('notePlaintextSchema', () => {
	it('accepts a valid note of every template', () => {
		const templates: Note['template'][] = [
			{ type: 'soap', subjective: 's', objective: 'o', assessment: 'a', plan: 'p' },
			{ type: 'dap', data: 'd', assessment: 'a', plan: 'p' },
			{ type: 'birp', behavior: 'b', intervention: 'i', response: 'r', plan: 'p' },
			{ type: 'free', text: 'Anything.' }
		];

		for (const template of templates) {
			expect(issuesOf(makeNote({ template }))).toEqual([]);
		}
	});

	it('accepts a treatment plan with goals', () => {
		const note = makeNote({
			kind: 'treatment_plan',
			goals: [
				{
					id: 'goal-1',
					description: 'Sleep seven hours most nights',
					status: 'in_progress',
					targetDate: '2027-02-01',
					interventions: ['Sleep hygiene', 'CBT-I'],
					reviewDates: ['2026-12-01', '2027-01-05']
				}
			]
		});

		expect(issuesOf(note)).toEqual([]);
	});

	it('rejects a missing field', () => {
		const note: Partial<Note> = makeNote();
		delete note.clientUserId;

		expect(issuesOf(note)).toContain('clientUserId');
	});

	it('rejects an unknown field', () => {
		expect(issuesOf({ ...makeNote(), mood: 'good' })).toEqual(['']);
	});

	it('rejects an unknown kind, class and template', () => {
		expect(issuesOf({ ...makeNote(), kind: 'diagnosis' })).toEqual(['kind']);
		expect(issuesOf({ ...makeNote(), class: 'public' })).toEqual(['class']);
		expect(issuesOf({ ...makeNote(), template: { type: 'girp', text: '' } })).toEqual([
			'template.type'
		]);
	});

	it('rejects template fields of another template', () => {
		const note = { ...makeNote(), template: { type: 'free', text: 'x', plan: 'y' } };

		expect(issuesOf(note)).toEqual(['template']);
	});

	it('rejects an invalid client ID and care room ID', () => {
		expect(issuesOf({ ...makeNote(), clientUserId: 'river' })).toEqual(['clientUserId']);
		expect(issuesOf({ ...makeNote(), careRoomId: '#care:clinic.example' })).toEqual(['careRoomId']);
	});

	it('rejects a signed note without a signing time', () => {
		expect(issuesOf(makeNote({ status: 'signed', signedAt: null }))).toEqual(['signedAt']);
	});

	it('rejects a signing time on an unsigned note', () => {
		expect(issuesOf(makeNote({ status: 'draft', signedAt: 1_790_000_000_000 }))).toEqual([
			'signedAt'
		]);
	});

	it('rejects addenda on an unsigned note', () => {
		const addenda = [
			{ reason: 'Correction', text: 'Date was wrong.', createdAt: 1_790_000_200_000 }
		];

		expect(issuesOf(makeNote({ status: 'draft', signedAt: null, addenda }))).toEqual(['addenda']);
	});

	it('rejects an addendum without a reason', () => {
		const addenda = [{ reason: '  ', text: 'Date was wrong.', createdAt: 1_790_000_200_000 }];

		expect(issuesOf(makeNote({ addenda }))).toEqual(['addenda.0.reason']);
	});

	it('rejects invalid revisions and times', () => {
		expect(issuesOf(makeNote({ revision: 0 }))).toEqual(['revision']);
		expect(issuesOf(makeNote({ revision: 1.5 }))).toEqual(['revision']);
		expect(issuesOf(makeNote({ createdAt: -1 }))).toEqual(['createdAt']);
		expect(issuesOf(makeNote({ updatedAt: 1 }))).toEqual(['updatedAt']);
	});

	it('rejects invalid goal dates and statuses', () => {
		const goal = {
			id: 'g',
			description: 'Walk daily',
			status: 'in_progress' as const,
			targetDate: '2027-13-01',
			interventions: [],
			reviewDates: []
		};

		expect(issuesOf(makeNote({ goals: [goal] }))).toEqual(['goals.0.targetDate']);
		expect(
			issuesOf({ ...makeNote(), goals: [{ ...goal, targetDate: null, status: 'done' }] })
		).toEqual(['goals.0.status']);
	});

	it('rejects a field longer than the maximum', () => {
		const template = { type: 'free' as const, text: 'x'.repeat(20_001) };

		expect(issuesOf(makeNote({ template }))).toEqual(['template.text']);
	});

	it('rejects values that are not objects', () => {
		for (const value of [null, 'note', 42, [makeNote()]]) {
			expect(issuesOf(value)).toEqual(['']);
		}
	});
});
