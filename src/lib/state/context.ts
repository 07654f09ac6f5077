import { getContext, setContext } from 'svelte';
import type { PreferencesState } from './preferences.svelte.ts';
import type { RoomListState } from './room-list.svelte.ts';

const ROOM_LIST_KEY = Symbol('alcove.room-list');

/** Makes the room list available to the signed-in part of the app. */
export function setRoomList(roomList: RoomListState): RoomListState {
	return setContext(ROOM_LIST_KEY, roomList);
}

/** Returns the room list set by the signed-in layout. */
export function useRoomList(): RoomListState {
	return getContext<RoomListState>(ROOM_LIST_KEY);
}

const PREFERENCES_KEY = Symbol('alcove.preferences');

/** Makes this device's preferences available to the signed-in part of the app. */
export function setPreferences(preferences: PreferencesState): PreferencesState {
	return setContext(PREFERENCES_KEY, preferences);
}

/** Returns the preferences set by the signed-in layout. */
export function usePreferences(): PreferencesState {
	return getContext<PreferencesState>(PREFERENCES_KEY);
}
