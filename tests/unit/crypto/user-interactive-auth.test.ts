import { MatrixError, type AuthDict } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { passwordAuthCallback } from '../../../src/lib/matrix/crypto/user-interactive-auth.ts';

const userId = '@therapist:clinic.example';
const passwordFlow = [{ stages: ['m.login.password'] }];

function challenge(errcode?: string): MatrixError {
	return new MatrixError(
		{ session: 'uia-session', flows: passwordFlow, ...(errcode ? { errcode } : {}) },
		401
	);
}

/** A request that answers each call with the next outcome and records its auth. */
function scriptedRequest(outcomes: (Error | 'ok')[]): {
	makeRequest: (auth: AuthDict | null) => Promise<string>;
	auths: (AuthDict | null)[];
} {
	const auths: (AuthDict | null)[] = [];
	return {
		auths,
		makeRequest: async (auth) => {
			auths.push(auth);
			const outcome = outcomes.shift();
			if (outcome === undefined) throw new Error('Unexpected request');
			if (outcome instanceof Error) throw outcome;
			return 'done';
		}
	};
}

describe('passwordAuthCallback', () => {
	it('sends once without asking when the server needs no authentication', async () => {
		const prompts: boolean[] = [];
		const request = scriptedRequest(['ok']);

		const result = await passwordAuthCallback<string>(userId, async ({ retry }) => {
			prompts.push(retry);
			return 'secret';
		})(request.makeRequest);

		expect(result).toBe('done');
		expect(request.auths).toEqual([null]);
		expect(prompts).toEqual([]);
	});

	it('answers a challenge with the password and the session', async () => {
		const request = scriptedRequest([challenge(), 'ok']);

		await passwordAuthCallback<string>(userId, async () => 'secret')(request.makeRequest);

		expect(request.auths[1]).toEqual({
			type: 'm.login.password',
			identifier: { type: 'm.id.user', user: userId },
			password: 'secret',
			session: 'uia-session'
		});
	});

	it('asks again after a wrong password', async () => {
		const prompts: boolean[] = [];
		const request = scriptedRequest([challenge(), challenge('M_FORBIDDEN'), 'ok']);

		await passwordAuthCallback<string>(userId, async ({ retry }) => {
			prompts.push(retry);
			return 'secret';
		})(request.makeRequest);

		expect(prompts).toEqual([false, true]);
	});

	it('fails with wrong_credentials after three wrong passwords', async () => {
		const request = scriptedRequest([
			challenge(),
			challenge('M_FORBIDDEN'),
			challenge('M_FORBIDDEN'),
			challenge('M_FORBIDDEN')
		]);

		await expect(
			passwordAuthCallback<string>(userId, async () => 'wrong')(request.makeRequest)
		).rejects.toMatchObject({ code: 'wrong_credentials' });
	});

	it('fails with auth_cancelled when the prompt is cancelled', async () => {
		const request = scriptedRequest([challenge()]);

		await expect(
			passwordAuthCallback<string>(userId, async () => null)(request.makeRequest)
		).rejects.toMatchObject({ code: 'auth_cancelled' });
		expect(request.auths).toEqual([null]);
	});

	it('fails with auth_unsupported without a password stage', async () => {
		const request = scriptedRequest([
			new MatrixError({ session: 's', flows: [{ stages: ['m.login.sso'] }] }, 401)
		]);

		await expect(
			passwordAuthCallback<string>(userId, async () => 'secret')(request.makeRequest)
		).rejects.toMatchObject({ code: 'auth_unsupported' });
	});

	it('passes other errors through', async () => {
		const forbidden = new MatrixError({ errcode: 'M_FORBIDDEN', error: 'no' }, 403);
		const request = scriptedRequest([forbidden]);

		await expect(
			passwordAuthCallback<string>(userId, async () => 'secret')(request.makeRequest)
		).rejects.toBe(forbidden);
	});
});
