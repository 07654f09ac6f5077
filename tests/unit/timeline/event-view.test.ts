import { MatrixEvent } from 'matrix-js-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RENDERED_BODY, toEventView } from '../../../src/lib/timeline/event-view.ts';

function roomEvent(type: string, content: unknown, stateKey?: string): MatrixEvent {
	return new MatrixEvent({
		type,
		content: content as Record<string, unknown>,
		sender: '@someone:clinic.example',
		event_id: '$event',
		room_id: '!room:clinic.example',
		origin_server_ts: 0,
		...(stateKey === undefined ? {} : { state_key: stateKey })
	});
}

describe('toEventView', () => {
	it('shows a text message', () => {
		expect(toEventView(roomEvent('m.room.message', { msgtype: 'm.text', body: 'Hi' }))).toEqual({
			kind: 'message',
			msgtype: 'm.text',
			body: 'Hi',
			formattedBody: undefined
		});
	});

	it('keeps formatted_body only with the HTML format', () => {
		const withFormat = toEventView(
			roomEvent('m.room.message', {
				msgtype: 'm.text',
				body: 'b',
				format: 'org.matrix.custom.html',
				formatted_body: '<b>b</b>'
			})
		);
		const withoutFormat = toEventView(
			roomEvent('m.room.message', { msgtype: 'm.text', body: 'b', formatted_body: '<b>b</b>' })
		);

		expect(withFormat).toMatchObject({ formattedBody: '<b>b</b>' });
		expect(withoutFormat).toMatchObject({ formattedBody: undefined });
	});

	it.each([
		['a number as body', { msgtype: 'm.text', body: 5 }],
		['no msgtype', { body: 'x' }],
		['an unknown msgtype', { msgtype: 'org.example.weird', body: 'x' }],
		['an array as msgtype', { msgtype: ['m.text'], body: 'x' }]
	])('reports %s as unsupported', (_case, content) => {
		expect(toEventView(roomEvent('m.room.message', content)).kind).toBe('unsupported');
	});

	it('cuts a huge body', () => {
		const view = toEventView(
			roomEvent('m.room.message', { msgtype: 'm.text', body: 'x'.repeat(MAX_RENDERED_BODY * 2) })
		);

		expect(view.kind === 'message' && view.body.length).toBe(MAX_RENDERED_BODY);
	});

	it('shows membership changes', () => {
		expect(toEventView(roomEvent('m.room.member', { membership: 'join' }, '@a:b.c'))).toEqual({
			kind: 'membership',
			membership: 'join',
			targetUserId: '@a:b.c'
		});
	});

	it('hides other state and non-message events', () => {
		expect(toEventView(roomEvent('m.room.power_levels', {}, '')).kind).toBe('hidden');
		expect(toEventView(roomEvent('m.reaction', { 'm.relates_to': {} })).kind).toBe('hidden');
	});

	it('reports malformed membership as unsupported', () => {
		expect(toEventView(roomEvent('m.room.member', { membership: 3 }, '@a:b.c')).kind).toBe(
			'unsupported'
		);
	});
});

describe('toEventView with hostile content', () => {
	const kinds = new Set([
		'message',
		'undecryptable',
		'decrypting',
		'membership',
		'unsupported',
		'hidden'
	]);

	it('maps any JSON content to one known kind without throwing', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('m.room.message', 'm.room.member', 'm.reaction', 'org.example.x'),
				fc.option(fc.string(), { nil: undefined }),
				fc.jsonValue(),
				(type, stateKey, content) => {
					const view = toEventView(roomEvent(type, content, stateKey));
					expect(kinds.has(view.kind)).toBe(true);
				}
			),
			{ numRuns: 2_000 }
		);
	});

	it('maps message-shaped content with any field types to one known kind', () => {
		fc.assert(
			fc.property(
				fc.record(
					{
						msgtype: fc.oneof(fc.constantFrom('m.text', 'm.notice', 'm.emote'), fc.jsonValue()),
						body: fc.oneof(fc.string(), fc.jsonValue()),
						format: fc.oneof(fc.constant('org.matrix.custom.html'), fc.jsonValue()),
						formatted_body: fc.oneof(fc.string(), fc.jsonValue()),
						'm.relates_to': fc.jsonValue()
					},
					{ requiredKeys: [] }
				),
				(content) => {
					const view = toEventView(roomEvent('m.room.message', content));
					expect(kinds.has(view.kind)).toBe(true);
					if (view.kind === 'message') expect(typeof view.body).toBe('string');
				}
			),
			{ numRuns: 2_000 }
		);
	});

	it('treats prototype keys as plain data', () => {
		const content = JSON.parse(
			'{"msgtype":"m.text","body":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
		);

		expect(toEventView(roomEvent('m.room.message', content)).kind).toBe('message');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('reports deeply nested content as unsupported', () => {
		let deep: Record<string, unknown> = {};
		const content = { msgtype: 'm.text', body: 'x', extra: deep };
		for (let level = 0; level < 100; level++) {
			const next = {};
			deep.child = next;
			deep = next;
		}

		expect(toEventView(roomEvent('m.room.message', content)).kind).toBe('unsupported');
	});

	it.each([
		['a string relation', 'oops'],
		['a relation without type or reply', {}],
		['an edit without event ID', { rel_type: 'm.replace' }],
		['a reply without event ID', { 'm.in_reply_to': {} }]
	])('reports %s as unsupported', (_case, relation) => {
		const content = { msgtype: 'm.text', body: 'x', 'm.relates_to': relation };

		expect(toEventView(roomEvent('m.room.message', content)).kind).toBe('unsupported');
	});

	it('hides an edit, which the SDK applies to the original', () => {
		const content = {
			msgtype: 'm.text',
			body: '* x',
			'm.new_content': { msgtype: 'm.text', body: 'x' },
			'm.relates_to': { rel_type: 'm.replace', event_id: '$original' }
		};

		expect(toEventView(roomEvent('m.room.message', content)).kind).toBe('hidden');
	});
});
