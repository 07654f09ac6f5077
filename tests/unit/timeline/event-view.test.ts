import { MatrixEvent } from 'matrix-js-sdk';
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
