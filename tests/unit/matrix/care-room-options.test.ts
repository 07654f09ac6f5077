import { describe, expect, it } from 'vitest';
import { careRoomCreateOptions } from '../../../src/lib/matrix/care-room.ts';
import { CARE_ROOM_TYPE } from '../../../src/lib/matrix/event-types.ts';

describe('careRoomCreateOptions', () => {
	const options = careRoomCreateOptions('@client:clinic.example');
	const initialState = new Map(options.initial_state?.map((event) => [event.type, event.content]));

	it('uses a preset that does not promote invitees', () => {
		expect(options.preset).toBe('private_chat');
	});

	it('names neither the room nor its topic', () => {
		expect(options.name).toBeUndefined();
		expect(options.topic).toBeUndefined();
		expect(initialState.has('m.room.name')).toBe(false);
		expect(initialState.has('m.room.topic')).toBe(false);
	});

	it('encrypts from the first event', () => {
		expect(initialState.get('m.room.encryption')).toEqual({ algorithm: 'm.megolm.v1.aes-sha2' });
	});

	it('limits history to each member since their invitation', () => {
		expect(initialState.get('m.room.history_visibility')).toEqual({
			history_visibility: 'invited'
		});
	});

	it('forbids guests and needs an invitation to join', () => {
		expect(initialState.get('m.room.guest_access')).toEqual({ guest_access: 'forbidden' });
		expect(initialState.get('m.room.join_rules')).toEqual({ join_rule: 'invite' });
	});

	it('marks the room as a care room', () => {
		expect(options.creation_content).toEqual({ type: CARE_ROOM_TYPE });
	});

	it('lets the client send messages but not state', () => {
		const powerLevels = options.power_level_content_override;

		expect(powerLevels?.users).toEqual({ '@client:clinic.example': 0 });
		expect(powerLevels?.events_default).toBe(0);
		expect(powerLevels?.state_default).toBe(100);
		for (const level of Object.values(powerLevels?.events ?? {})) {
			expect(level).toBeGreaterThanOrEqual(100);
		}
	});
});
