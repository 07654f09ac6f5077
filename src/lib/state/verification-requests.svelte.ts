import type { MatrixClient } from 'matrix-js-sdk';
import { watchVerificationRequests, type VerificationSession } from '../matrix/crypto/index.ts';

/**
 * Verification requests that reach this device from another device of the
 * account or from another person, oldest first. It lives as long as the
 * session, so a request that arrives while the screen is locked waits there.
 */
export class VerificationRequests {
	/** Requests still to show; the first one is on screen. */
	queue = $state.raw<VerificationSession[]>([]);
	readonly #stop: () => void;

	constructor(matrixClient: MatrixClient) {
		this.#stop = watchVerificationRequests(matrixClient, (session) => {
			this.queue = [...this.queue, session];
		});
	}

	/** Removes a finished or dismissed request from the queue. */
	dismiss(session: VerificationSession): void {
		session.dispose();
		this.queue = this.queue.filter((queued) => queued !== session);
	}

	/** Stops listening, on sign-out. */
	dispose(): void {
		this.#stop();
		for (const session of this.queue) session.dispose();
		this.queue = [];
	}
}
