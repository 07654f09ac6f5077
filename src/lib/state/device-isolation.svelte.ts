import { ClientEvent, type MatrixClient, type MatrixEvent } from 'matrix-js-sdk';
import {
	applyDeviceIsolation,
	DEVICE_ISOLATION_EVENT_TYPE,
	fetchDeviceIsolationChoice,
	readDeviceIsolationChoice,
	saveDeviceIsolationChoice,
	type DeviceIsolationPolicy,
	type DeviceIsolationSetting
} from '../matrix/crypto/device-isolation.ts';

/**
 * The device isolation setting of this account: the practice policy combined
 * with the user's choice in account data. It is applied to this device's Rust
 * crypto and kept in step when another device changes the choice.
 */
export class DeviceIsolationState {
	/** The setting in effect on this device. */
	setting = $state<DeviceIsolationSetting>('all_devices');
	/** The user's own choice, or null when the practice default applies. */
	choice = $state<DeviceIsolationSetting | null>(null);
	readonly policy: DeviceIsolationPolicy;
	readonly #matrixClient: MatrixClient;
	readonly #stop: () => void;

	private constructor(
		matrixClient: MatrixClient,
		policy: DeviceIsolationPolicy,
		choice: DeviceIsolationSetting | null,
		setting: DeviceIsolationSetting
	) {
		this.#matrixClient = matrixClient;
		this.policy = policy;
		this.choice = choice;
		this.setting = setting;
		const onAccountData = (event: MatrixEvent): void => {
			if (event.getType() === DEVICE_ISOLATION_EVENT_TYPE) this.#apply();
		};
		matrixClient.on(ClientEvent.AccountData, onAccountData);
		this.#stop = () => matrixClient.off(ClientEvent.AccountData, onAccountData);
	}

	/**
	 * Reads the user's choice from the homeserver and applies the setting. Call
	 * it before the first sync, so the events in it are decrypted, and keys
	 * shared, under the right setting.
	 */
	static async create(
		matrixClient: MatrixClient,
		policy: DeviceIsolationPolicy
	): Promise<DeviceIsolationState> {
		const choice = await fetchDeviceIsolationChoice(matrixClient);
		const setting = applyDeviceIsolation(matrixClient, policy, choice);
		return new DeviceIsolationState(matrixClient, policy, choice, setting);
	}

	/** True if the practice lets users share with all devices despite a strict default. */
	get weakerChoiceAllowed(): boolean {
		return this.policy.default === 'all_devices' || this.policy.allowWeakerChoice;
	}

	/** Stores the user's choice for every device of the account and applies it here. */
	async choose(choice: DeviceIsolationSetting): Promise<void> {
		this.setting = await saveDeviceIsolationChoice(this.#matrixClient, this.policy, choice);
		this.choice = choice;
	}

	/** Stops following account data, on sign-out. */
	dispose(): void {
		this.#stop();
	}

	#apply(): void {
		this.setting = applyDeviceIsolation(this.#matrixClient, this.policy);
		this.choice = readDeviceIsolationChoice(this.#matrixClient);
	}
}
