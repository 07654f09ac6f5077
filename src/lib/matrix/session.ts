import { z } from 'zod';

/** A signed-in device: everything needed to create a matrixClient again after a reload. */
export const sessionSchema = z.object({
	homeserverUrl: z.string().url(),
	userId: z.string().min(3),
	deviceId: z.string().min(1),
	accessToken: z.string().min(1),
	/**
	 * Key of the device's Rust crypto store in IndexedDB, base64. It is random per
	 * device, so the crypto store cannot be opened without the stored session.
	 */
	cryptoStoreKey: z.string().min(43)
});

export type Session = z.infer<typeof sessionSchema>;

/** Prefix of the IndexedDB databases of one device's Rust crypto store. */
export function cryptoDatabasePrefix(session: Pick<Session, 'userId' | 'deviceId'>): string {
	return `alcove-crypto:${session.userId}:${session.deviceId}`;
}
