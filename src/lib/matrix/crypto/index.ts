/**
 * The trust layer: cross-signing, secret storage, key backup, recovery,
 * verification, trust state, device isolation, devices and history sharing.
 * Each module opens with its threat model.
 */
export * from './bootstrap.ts';
export * from './decryption-failure.ts';
export * from './device-isolation.ts';
export * from './devices.ts';
export * from './history-sharing.ts';
export * from './history-transcript.ts';
export * from './recovery.ts';
export * from './secret-storage-key.ts';
export * from './trust-state.ts';
export * from './user-interactive-auth.ts';
export * from './verification.ts';
export * from './sign-out-risk.ts';
