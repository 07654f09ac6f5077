import { EventEmitter } from 'node:events';
import {
	VerificationPhase,
	VerificationRequestEvent,
	VerifierEvent,
	type EmojiMapping,
	type ShowSasCallbacks,
	type VerificationRequest,
	type Verifier
} from 'matrix-js-sdk/lib/crypto-api';
import { describe, expect, it } from 'vitest';
import {
	cancelReasonFor,
	VerificationSession,
	type VerificationState
} from '../../../src/lib/matrix/crypto/verification.ts';

const emoji: EmojiMapping[] = [
	['🐶', 'Dog'],
	['🔑', 'Key'],
	['🎸', 'Guitar'],
	['⚓', 'Anchor'],
	['🌵', 'Cactus'],
	['🍌', 'Banana'],
	['🎩', 'Hat']
];

/** Stand-in for the SDK's Verifier: records what the session does with it. */
class FakeVerifier extends EventEmitter {
	hasBeenCancelled = false;
	confirmed = false;
	mismatched = false;
	verifyCalls = 0;
	#settle: { resolve: () => void; reject: (error: Error) => void } | undefined;

	readonly sas: ShowSasCallbacks = {
		sas: { emoji },
		confirm: async () => {
			this.confirmed = true;
		},
		mismatch: () => {
			this.mismatched = true;
		},
		cancel: () => undefined
	};

	verify(): Promise<void> {
		this.verifyCalls++;
		return new Promise((resolve, reject) => {
			this.#settle = { resolve, reject };
		});
	}

	getShowSasCallbacks(): ShowSasCallbacks | null {
		return null;
	}

	showEmoji(): void {
		this.emit(VerifierEvent.ShowSas, this.sas);
	}

	finish(): void {
		this.#settle?.resolve();
	}
}

/** Stand-in for the SDK's VerificationRequest, moved through phases by the test. */
class FakeRequest extends EventEmitter {
	phase = VerificationPhase.Requested;
	initiatedByMe: boolean;
	verifier: FakeVerifier | undefined;
	cancellationCode: string | null = null;
	accepted = false;
	started = 0;
	readonly otherUserId = '@client:clinic.example';
	readonly otherDeviceId = undefined;
	readonly isSelfVerification = false;
	readonly roomId = '!care:clinic.example';
	readonly transactionId = 'txn';
	readonly pending = true;

	constructor(initiatedByMe: boolean) {
		super();
		this.initiatedByMe = initiatedByMe;
	}

	async accept(): Promise<void> {
		this.accepted = true;
		this.moveTo(VerificationPhase.Ready);
	}

	async startVerification(): Promise<FakeVerifier> {
		this.started++;
		this.verifier = new FakeVerifier();
		this.phase = VerificationPhase.Started;
		return this.verifier;
	}

	async cancel(): Promise<void> {
		this.cancellationCode = 'm.user';
		this.moveTo(VerificationPhase.Cancelled);
	}

	moveTo(phase: VerificationPhase): void {
		this.phase = phase;
		this.emit(VerificationRequestEvent.Change);
	}
}

function session(request: FakeRequest): VerificationSession {
	return new VerificationSession(request as unknown as VerificationRequest);
}

/** Lets pending promise callbacks run. */
function settle(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

describe('VerificationSession', () => {
	it('starts the emoji exchange when the other side accepts an outgoing request', async () => {
		const request = new FakeRequest(true);
		const verification = session(request);
		const states: VerificationState[] = [];
		verification.subscribe((state) => states.push(state));

		expect(verification.state).toEqual({ phase: 'requested', initiatedByMe: true });
		request.moveTo(VerificationPhase.Ready);
		await settle();
		request.verifier?.showEmoji();

		expect(request.started).toBe(1);
		expect(request.verifier?.verifyCalls).toBe(1);
		expect(states.map((state) => state.phase)).toEqual(['ready', 'showing_emoji']);
		expect(verification.state).toEqual({ phase: 'showing_emoji', emoji, confirmed: false });
	});

	it('joins the exchange the other side started on an incoming request', async () => {
		const request = new FakeRequest(false);
		const verification = session(request);

		await verification.accept();
		const verifier = new FakeVerifier();
		request.verifier = verifier;
		request.moveTo(VerificationPhase.Started);
		verifier.showEmoji();

		expect(request.accepted).toBe(true);
		expect(request.started).toBe(0);
		expect(verifier.verifyCalls).toBe(1);
		expect(verification.state.phase).toBe('showing_emoji');
	});

	it('reports confirmed, then done', async () => {
		const request = new FakeRequest(true);
		const verification = session(request);
		request.moveTo(VerificationPhase.Ready);
		await settle();
		request.verifier?.showEmoji();

		await verification.confirm();
		const confirmed = verification.state;
		request.moveTo(VerificationPhase.Done);
		request.verifier?.finish();

		expect(request.verifier?.confirmed).toBe(true);
		expect(confirmed).toEqual({ phase: 'showing_emoji', emoji, confirmed: true });
		expect(await verification.waitForEnd()).toEqual({ phase: 'done' });
	});

	it('ends as emoji_mismatch after mismatch()', async () => {
		const request = new FakeRequest(true);
		const verification = session(request);
		request.moveTo(VerificationPhase.Ready);
		await settle();
		request.verifier?.showEmoji();

		verification.mismatch();
		if (request.verifier) request.verifier.hasBeenCancelled = true;
		request.verifier?.emit(VerifierEvent.Cancel, new Error('mismatch'));

		expect(request.verifier?.mismatched).toBe(true);
		expect(verification.state).toEqual({
			phase: 'cancelled',
			reason: 'emoji_mismatch',
			code: 'm.mismatched_sas'
		});
	});

	it('tells who cancelled', async () => {
		const mine = session(new FakeRequest(false));
		const theirsRequest = new FakeRequest(true);
		const theirs = session(theirsRequest);

		await mine.cancel();
		theirsRequest.cancellationCode = 'm.user';
		theirsRequest.moveTo(VerificationPhase.Cancelled);

		expect(mine.state).toEqual({ phase: 'cancelled', reason: 'cancelled_by_you', code: 'm.user' });
		expect(theirs.state).toEqual({
			phase: 'cancelled',
			reason: 'cancelled_by_other_side',
			code: 'm.user'
		});
	});

	it('refuses to accept an outgoing request', async () => {
		const verification = session(new FakeRequest(true));

		await expect(verification.accept()).rejects.toThrow('Cannot accept');
	});

	it('refuses to confirm before emoji are shown', async () => {
		const verification = session(new FakeRequest(false));

		await expect(verification.confirm()).rejects.toThrow('Cannot confirm');
	});

	it('stops notifying after dispose', () => {
		const request = new FakeRequest(false);
		const verification = session(request);
		const states: VerificationState[] = [];
		verification.subscribe((state) => states.push(state));

		verification.dispose();
		request.moveTo(VerificationPhase.Ready);

		expect(states).toEqual([]);
		expect(request.listenerCount(VerificationRequestEvent.Change)).toBe(0);
	});
});

describe('cancelReasonFor', () => {
	it.each([
		['m.user', true, 'cancelled_by_you'],
		['m.user', false, 'cancelled_by_other_side'],
		['m.mismatched_sas', false, 'emoji_mismatch'],
		['m.key_mismatch', true, 'emoji_mismatch'],
		['m.timeout', false, 'timed_out'],
		['m.accepted', false, 'handled_on_another_device'],
		['m.unknown_method', false, 'failed'],
		[null, false, 'failed']
	] as const)('maps %s (cancelled here: %s) to %s', (code, here, reason) => {
		expect(cancelReasonFor(code, here)).toBe(reason);
	});
});

// Keeps the fake in step with the interface it stands in for.
const _verifierShape: Pick<Verifier, 'verify' | 'getShowSasCallbacks' | 'hasBeenCancelled'> =
	new FakeVerifier();
void _verifierShape;
