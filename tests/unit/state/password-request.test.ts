import { describe, expect, it } from 'vitest';
import { PasswordRequest } from '../../../src/lib/state/password-request.svelte.ts';

describe('PasswordRequest', () => {
	it('resolves the prompt with the submitted password', async () => {
		const request = new PasswordRequest();
		const answer = request.prompt({ retry: false });
		expect(request.pending).toEqual({ retry: false });

		request.submit('hunter2');

		await expect(answer).resolves.toBe('hunter2');
		expect(request.pending).toBeUndefined();
	});

	it('resolves with null on cancel', async () => {
		const request = new PasswordRequest();
		const answer = request.prompt({ retry: true });
		expect(request.pending).toEqual({ retry: true });

		request.cancel();

		await expect(answer).resolves.toBeNull();
		expect(request.pending).toBeUndefined();
	});

	it('cancels an unanswered prompt when a new one comes', async () => {
		const request = new PasswordRequest();
		const first = request.prompt({ retry: false });
		const second = request.prompt({ retry: true });

		request.submit('again');

		await expect(first).resolves.toBeNull();
		await expect(second).resolves.toBe('again');
	});
});
