import type { PasswordPrompt } from '../matrix/crypto/user-interactive-auth.ts';

/**
 * A pending request for the account password, for user-interactive
 * authentication. The crypto layer calls `prompt`; a password dialog renders
 * while `pending` is set and resolves it with `submit` or `cancel`. The password
 * passes straight through to the request and is not kept here.
 */
export class PasswordRequest {
	/** Set while a password is wanted; `retry` after the server rejected one. */
	pending = $state<{ retry: boolean } | undefined>();
	#resolve: ((password: string | null) => void) | undefined;

	readonly prompt: PasswordPrompt = ({ retry }) =>
		new Promise((resolve) => {
			// A new request replaces one still pending, which counts as cancelled.
			this.#resolve?.(null);
			this.#resolve = resolve;
			this.pending = { retry };
		});

	/** Resolves the pending request with the typed password. */
	submit(password: string): void {
		this.#settle(password);
	}

	/** Resolves the pending request as cancelled. */
	cancel(): void {
		this.#settle(null);
	}

	#settle(password: string | null): void {
		const resolve = this.#resolve;
		this.#resolve = undefined;
		this.pending = undefined;
		resolve?.(password);
	}
}
