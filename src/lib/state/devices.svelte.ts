import type { MatrixClient } from 'matrix-js-sdk';
import {
	deleteOtherDevices,
	listOwnDevices,
	renameDevice,
	watchUserTrust,
	type OwnDevice
} from '../matrix/crypto/index.ts';
import { CryptoEvent } from 'matrix-js-sdk/lib/crypto-api';
import { PasswordRequest } from './password-request.svelte.ts';

/** The own devices of the signed-in account, for the devices page. */
export class DevicesState {
	devices = $state.raw<OwnDevice[]>([]);
	loading = $state(true);
	/** Error of the last load, for the page to show above the list. */
	loadError = $state<unknown>();
	/** Password prompt for signing out other devices. */
	readonly passwordRequest = new PasswordRequest();
	readonly #matrixClient: MatrixClient;

	constructor(matrixClient: MatrixClient) {
		this.#matrixClient = matrixClient;
	}

	/** Loads the list from the homeserver and the Rust crypto store. */
	async load(): Promise<void> {
		try {
			this.devices = await listOwnDevices(this.#matrixClient);
			this.loadError = undefined;
		} catch (error) {
			this.loadError = error;
		} finally {
			this.loading = false;
		}
	}

	/** Renames a device, then reloads the list. Throws AlcoveError for an invalid name. */
	async rename(deviceId: string, displayName: string): Promise<void> {
		await renameDevice(this.#matrixClient, deviceId, displayName);
		await this.load();
	}

	/** Signs out another device after the password check, then reloads the list. */
	async signOut(deviceId: string): Promise<void> {
		await deleteOtherDevices(this.#matrixClient, [deviceId], this.passwordRequest.prompt);
		await this.load();
	}

	/**
	 * Reloads whenever the own devices or their verification change, for
	 * example when a new device signs in or is verified. Returns the function
	 * that stops it.
	 */
	watch(): () => void {
		const ownUserId = this.#matrixClient.getSafeUserId();
		const reload = (userIds: string[]): void => {
			if (userIds.includes(ownUserId)) void this.load();
		};
		const stopTrust = watchUserTrust(this.#matrixClient, (userId) => reload([userId]));
		const onDevicesUpdated = (userIds: string[]): void => reload(userIds);
		this.#matrixClient.on(CryptoEvent.DevicesUpdated, onDevicesUpdated);
		return () => {
			stopTrust();
			this.#matrixClient.off(CryptoEvent.DevicesUpdated, onDevicesUpdated);
			this.passwordRequest.cancel();
		};
	}
}
