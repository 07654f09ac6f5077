import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../../scripts/lib/synapse-admin.ts';
import { startSynapse, type SynapseServer } from '../../scripts/lib/synapse-server.ts';
import { AlcoveError } from '../../src/lib/matrix/errors.ts';
import { signInWithPassword } from '../../src/lib/matrix/login.ts';

// The shared test Synapse turns rate limits off. This file starts one with the
// development configuration, which keeps Synapse's default limits: a few
// failed sign-ins per account, then M_LIMIT_EXCEEDED with a time to wait.
describe('sign-in under rate limits', () => {
	let synapse: SynapseServer;
	let dataDir: string;

	beforeAll(async () => {
		dataDir = mkdtempSync(path.join(tmpdir(), 'alcove-rate-limit-'));
		synapse = await startSynapse({ dataDir });
	});

	afterAll(async () => {
		await synapse?.stop();
		if (!process.env.ALCOVE_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
	});

	it('reports rate limiting with the time to wait', async () => {
		const password = randomBytes(12).toString('base64url');
		const user = await registerUser(synapse.baseUrl, synapse.registrationSharedSecret, {
			username: `limited-${randomBytes(4).toString('hex')}`,
			password
		});

		const errors: AlcoveError[] = [];
		for (let attempt = 0; attempt < 10; attempt++) {
			const error = await signInWithPassword(synapse.baseUrl, user.userId, `${password}x`).catch(
				(caught: unknown) => caught
			);
			expect(error).toBeInstanceOf(AlcoveError);
			errors.push(error as AlcoveError);
			if ((error as AlcoveError).code === 'rate_limited') break;
		}

		expect(errors[0]?.code).toBe('wrong_credentials');
		const limited = errors.at(-1);
		expect(limited?.code).toBe('rate_limited');
		expect(limited?.retryAfterMs).toBeGreaterThan(0);
	});
});
