/**
 * Alcove's own Matrix identifiers. They use the reverse-DNS namespace that the
 * Matrix specification asks for custom types, so no other client mistakes them
 * for its own.
 */

/**
 * Room type (the `type` field of `m.room.create`) of a care room: one
 * therapist, one client. It is visible to the server, and says only that the
 * room was made by Alcove.
 */
export const CARE_ROOM_TYPE = 'app.alcove.care_room';
