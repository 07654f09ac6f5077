import { getContext, setContext } from 'svelte';
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
