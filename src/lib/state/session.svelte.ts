import type { MatrixClient } from 'matrix-js-sdk';
import { getContext, setContext } from 'svelte';
import { deleteLocalData } from '../browser/local-data.ts';
import { LocalVault } from '../browser/local-vault.ts';
import { createUnlockVerifier } from '../browser/unlock-verifier.ts';
import { AlcoveError } from '../matrix/errors.ts';
import { discoverHomeserver } from '../matrix/homeserver.ts';
import { logger } from '../matrix/logger.ts';
import { cryptoDatabasePrefix, sessionSchema, type Session } from '../matrix/session.ts';
import type * as LoginModule from '../matrix/login.ts';
import type * as MatrixClientModule from '../matrix/matrix-client.ts';
import type { SecretStorageKeyCache } from '../matrix/crypto/secret-storage-key.ts';
import type * as EncryptionGateModule from './encryption-gate.svelte.ts';
import type { EncryptionGate } from './encryption-gate.svelte.ts';
import type { DeviceIsolationPolicy } from '../matrix/crypto/device-isolation-policy.ts';
import type * as DeviceIsolationModule from './device-isolation.svelte.ts';
import type { DeviceIsolationState } from './device-isolation.svelte.ts';
import type * as SharedHistoryModule from './shared-history.svelte.ts';
import type { SharedHistory } from './shared-history.svelte.ts';
import type * as VerificationRequestsModule from './verification-requests.svelte.ts';
import type { VerificationRequests } from './verification-requests.svelte.ts';
import { LAST_ACTIVITY_ENTRY, UNLOCK_VERIFIER_ENTRY } from './inactivity.svelte.ts';

// The SDK and its Rust crypto are most of the bundle. They are loaded on
// demand, so the sign-in screen appears before they have arrived; the
// import starts at once, so by the time someone has typed a password they
// usually have.
const sdkModules = (): Promise<
	[
		typeof LoginModule,
		typeof MatrixClientModule,
		typeof EncryptionGateModule,
		typeof VerificationRequestsModule,
		typeof DeviceIsolationModule,
		typeof SharedHistoryModule
	]
> =>
	Promise.all([
		import('../matrix/login.ts'),
		import('../matrix/matrix-client.ts'),
		import('./encryption-gate.svelte.ts'),
		import('./verification-requests.svelte.ts'),
		import('./device-isolation.svelte.ts'),
		import('./shared-history.svelte.ts')
	]);

const SESSION_ENTRY = 'session';

/** Query parameter of the sign-in page that carries why a session ended before a reload. */
const ENDED_PARAMETER = 'ended';

/** Where the signed-in session is in its life. */
export type SessionStatus = 'restoring' | 'signed-out' | 'starting' | 'ready' | 'signing-out';

/** The signed-in device of this browser tab: its matrixClient and how it got there. */
export class SessionState {
	status = $state<SessionStatus>('restoring');
	/** Why the last session ended without the user signing out, for the sign-in screen. */
	endedReason = $state<AlcoveError | undefined>();
	matrixClient = $state.raw<MatrixClient | undefined>();
	session = $state.raw<Session | undefined>();
	/** The encryption step of this device; set before `status` becomes `ready`. */
	encryption = $state.raw<EncryptionGate | undefined>();
	/** Verification requests from other devices and people, while signed in. */
	verificationRequests = $state.raw<VerificationRequests | undefined>();
	/** Which devices get this account's room keys, while signed in. */
	deviceIsolation = $state.raw<DeviceIsolationState | undefined>();
	/** Earlier messages that colleagues shared with this user, by room. */
	sharedHistory = $state.raw<SharedHistory | undefined>();
	readonly #deviceIsolationPolicy: DeviceIsolationPolicy;
	#vault: LocalVault | undefined;
	#keyCache: SecretStorageKeyCache | undefined;

	/** @param deviceIsolationPolicy - The practice's policy, from its configuration. */
	constructor(deviceIsolationPolicy: DeviceIsolationPolicy) {
		this.#deviceIsolationPolicy = deviceIsolationPolicy;
	}

	/** The signed-in user's Matrix ID; only valid while a session exists. */
	get userId(): string {
		return this.session?.userId ?? '';
	}

	/** Resumes the session stored on this device, if there is one. */
	async restore(): Promise<void> {
		try {
			this.#vault = await LocalVault.open();
			const parsed = sessionSchema.safeParse(await this.#vault.get(SESSION_ENTRY));
			if (!parsed.success) {
				// Without a session nothing stored here is of use. A sign-out whose
				// page still held a database open left it for this start to delete.
				await deleteLocalData(this.#vault);
				this.#vault = undefined;
				if (location.search === `?${ENDED_PARAMETER}=session_expired`) {
					this.endedReason = new AlcoveError('session_expired', 'The session ended');
				}
				this.status = 'signed-out';
				void sdkModules();
				return;
			}
			await this.#start(parsed.data);
		} catch (error) {
			logger.error('Could not restore the session', error);
			const { toAlcoveError } = await import('../matrix/login.ts');
			await this.#endLocally(toAlcoveError(error, 'Session restore'));
		}
	}

	/**
	 * Signs in with a password on `homeserverInput` (already validated) and
	 * starts syncing. Throws AlcoveError for the sign-in form to show.
	 */
	async signIn(homeserver: URL, user: string, password: string): Promise<void> {
		const homeserverUrl = await discoverHomeserver(homeserver);
		const [{ signInWithPassword }] = await sdkModules();
		const session = await signInWithPassword(homeserverUrl, user, password);
		this.#vault ??= await LocalVault.open();
		await this.#vault.put(SESSION_ENTRY, session);
		await this.#vault.put(UNLOCK_VERIFIER_ENTRY, await createUnlockVerifier(password));
		await this.#vault.put(LAST_ACTIVITY_ENTRY, Date.now());
		this.endedReason = undefined;
		try {
			await this.#start(session);
		} catch (error) {
			// A half-started session must not be resumed at the next page load.
			await this.#clear(this.matrixClient, session);
			this.status = 'signed-out';
			throw error;
		}
	}

	/**
	 * Logs the device out on the server, then deletes the local crypto store
	 * and every other trace of the session in this browser.
	 */
	async signOut(): Promise<void> {
		const matrixClient = this.matrixClient;
		const session = this.session;
		this.status = 'signing-out';
		if (matrixClient) {
			try {
				await matrixClient.logout(true);
			} catch (error) {
				// The local data goes anyway: a shared computer must not keep it.
				// The device stays in the account's device list until removed.
				logger.warn('Server-side logout failed; deleting local data anyway', error);
			}
		}
		await this.#clear(matrixClient, session);
		this.status = 'signed-out';
	}

	/**
	 * Reloads the sign-in page after a deletion that a connection of this page
	 * blocked. The reload closes every connection, and the start without a
	 * session deletes what is left; the query carries why the session ended.
	 */
	#reloadToFinishDeletion(reason: AlcoveError | undefined): void {
		logger.warn('A database stayed open during sign-out; reloading to delete it');
		const query = reason?.code === 'session_expired' ? `?${ENDED_PARAMETER}=${reason.code}` : '';
		location.replace(`/login${query}`);
	}

	async #start(session: Session): Promise<void> {
		this.status = 'starting';
		this.session = session;
		const [
			,
			{ createMatrixClient, startMatrixClient, SESSION_LOGGED_OUT },
			{ EncryptionGate, SecretStorageKeyCache },
			{ VerificationRequests },
			{ DeviceIsolationState },
			{ SharedHistory }
		] = await sdkModules();
		// The SDK reads the secret-storage callbacks only when the client is created.
		const keyCache = new SecretStorageKeyCache();
		this.#keyCache = keyCache;
		const matrixClient = await createMatrixClient(session, {
			cryptoCallbacks: keyCache.cryptoCallbacks
		});
		matrixClient.once(SESSION_LOGGED_OUT, () => {
			void this.#endLocally(
				new AlcoveError('session_expired', 'The homeserver ended this session')
			);
		});
		this.matrixClient = matrixClient;
		this.verificationRequests = new VerificationRequests(matrixClient);
		// Listening starts before the first sync, which may carry a transcript.
		this.sharedHistory = new SharedHistory(matrixClient, this.#vault);
		this.deviceIsolation = await DeviceIsolationState.create(
			matrixClient,
			this.#deviceIsolationPolicy
		);
		await startMatrixClient(matrixClient);
		const encryption = new EncryptionGate(matrixClient, keyCache, this.#vault);
		await encryption.check();
		this.encryption = encryption;
		this.status = 'ready';
	}

	async #endLocally(reason: AlcoveError): Promise<void> {
		const matrixClient = this.matrixClient;
		matrixClient?.stopClient();
		await this.#clear(matrixClient, this.session, reason);
		this.endedReason = reason;
		this.status = 'signed-out';
	}

	async #clear(
		matrixClient: MatrixClient | undefined,
		session: Session | undefined,
		reason?: AlcoveError
	): Promise<void> {
		this.matrixClient = undefined;
		this.session = undefined;
		this.encryption?.dispose();
		this.encryption = undefined;
		this.verificationRequests?.dispose();
		this.verificationRequests = undefined;
		this.deviceIsolation?.dispose();
		this.deviceIsolation = undefined;
		this.sharedHistory?.dispose();
		this.sharedHistory = undefined;
		this.#keyCache?.clear();
		this.#keyCache = undefined;
		if (matrixClient && session) {
			matrixClient.stopClient();
			// The SDK waits without limit while the Rust crypto still keeps its
			// store open (seen after the key backup was deleted on the server), so
			// the wait is bounded and deleteLocalData below reports the store.
			const cleared = matrixClient
				.clearStores({ cryptoDatabasePrefix: cryptoDatabasePrefix(session) })
				.catch((error: unknown) => logger.warn('Could not clear the SDK stores', error));
			await Promise.race([cleared, new Promise((resolve) => setTimeout(resolve, 5_000))]);
		}
		const blocked = await deleteLocalData(this.#vault);
		this.#vault = undefined;
		if (blocked.length > 0) this.#reloadToFinishDeletion(reason);
	}

	/** The vault of the signed-in device, for drafts. */
	get vault(): LocalVault | undefined {
		return this.#vault;
	}
}

const SESSION_KEY = Symbol('alcove.session');

/** Makes the session available to every component below the caller. */
export function setSession(session: SessionState): SessionState {
	return setContext(SESSION_KEY, session);
}

/** Returns the session set by the root layout. */
export function useSession(): SessionState {
	return getContext<SessionState>(SESSION_KEY);
}
