import { randomBytes } from 'node:crypto';
import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoCallbacks } from 'matrix-js-sdk/lib/crypto-api';
import { signInWithPassword } from '../../../src/lib/matrix/login.ts';
import { createMatrixClient, startMatrixClient } from '../../../src/lib/matrix/matrix-client.ts';
import { e2eEnvironment } from './environment.ts';

/**
 * Signs an account in on a new device in this Node process, with real Rust
 * crypto kept in memory: a second client that sends what no browser would.
 */
export async function signInSecondDevice(
	userId: string,
	password: string,
	options: { cryptoCallbacks?: CryptoCallbacks } = {}
): Promise<MatrixClient> {
	const session = await signInWithPassword(e2eEnvironment().homeserverUrl, userId, password);
	const matrixClient = await createMatrixClient(
		{ ...session, cryptoStoreKey: randomBytes(32).toString('base64') },
		{ useIndexedDB: false, cryptoCallbacks: options.cryptoCallbacks }
	);
	await startMatrixClient(matrixClient);
	return matrixClient;
}
