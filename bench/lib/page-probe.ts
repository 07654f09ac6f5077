/**
 * Instruments a page of the app from its first script on: when things first
 * appear in the DOM, when the user pressed Enter in the composer, frame gaps
 * and long tasks. Timing inside the page avoids the delay of polling from
 * Node. The probe only reads the DOM; it changes nothing the app does.
 */

/** Conditions the probe watches for. Each condition found sets a mark. */
export interface ProbeOptions {
	/** Sets `marks.roomList` when at least this many room-list items exist. */
	roomListCount?: number;
	/** Sets `marks.message` when a decrypted message body contains this text. */
	messageText?: string;
	/** Sets `marks.history` when a decrypted message body contains this text. */
	historyText?: string;
	/**
	 * Calls the page binding `__alcoveBenchSeen(text, epochMs)` once for each
	 * new decrypted message body, in the first animation frame after it
	 * entered the DOM.
	 */
	reportMessages?: boolean;
}

/** State the probe keeps in `window.__alcoveBench`. */
export interface ProbeState {
	/** Milliseconds since the navigation started (`performance.now()`), by mark name. */
	marks: Record<string, number>;
	/** Epoch milliseconds at which Enter was pressed in a textarea, by the text sent. */
	sent: Record<string, number>;
	/** Milliseconds between consecutive animation frames while recording. */
	frameGaps: number[];
	recordingFrames: boolean;
	/** Long tasks (50 ms or more) seen since the page started. */
	longTasks: { start: number; duration: number }[];
}

/**
 * The probe itself. It runs in the page (through `addInitScript`), so it must
 * not use anything from this module's scope.
 */
export function installProbe(options: ProbeOptions): void {
	const state: ProbeState = {
		marks: {},
		sent: {},
		frameGaps: [],
		recordingFrames: false,
		longTasks: []
	};
	const target = window as unknown as {
		__alcoveBench: ProbeState & { startFrames(): void; stopFrames(): number[] };
		__alcoveBenchSeen?: (text: string, epochMs: number) => void;
	};
	const epochNow = (): number => performance.timeOrigin + performance.now();
	const messageSelector = '[data-testid=message-body]';
	const reported = new Set<string>();

	let lastFrame = 0;
	const onFrame = (time: number): void => {
		if (!state.recordingFrames) return;
		if (lastFrame > 0) state.frameGaps.push(time - lastFrame);
		lastFrame = time;
		requestAnimationFrame(onFrame);
	};
	target.__alcoveBench = Object.assign(state, {
		startFrames(): void {
			state.frameGaps = [];
			state.recordingFrames = true;
			lastFrame = 0;
			requestAnimationFrame(onFrame);
		},
		stopFrames(): number[] {
			state.recordingFrames = false;
			return state.frameGaps;
		}
	});

	document.addEventListener(
		'keydown',
		(event) => {
			if (event.key === 'Enter' && !event.shiftKey && event.target instanceof HTMLTextAreaElement) {
				state.sent[event.target.value] = epochNow();
			}
		},
		true
	);
	document.addEventListener(
		'click',
		(event) => {
			const button = (event.target as Element | null)?.closest?.('button');
			if (button?.textContent?.trim() === 'Sign in') state.marks.signInClick = performance.now();
		},
		true
	);

	try {
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) {
				state.longTasks.push({ start: entry.startTime, duration: entry.duration });
			}
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		// Long tasks are not reported by this browser; frame gaps still are.
	}

	const checkMarks = (): void => {
		if (
			options.roomListCount !== undefined &&
			state.marks.roomList === undefined &&
			document.querySelectorAll('[data-testid=room-list-item]').length >= options.roomListCount
		) {
			state.marks.roomList = performance.now();
		}
		for (const [mark, text] of [
			['message', options.messageText],
			['history', options.historyText]
		] as const) {
			if (text === undefined || state.marks[mark] !== undefined) continue;
			for (const element of document.querySelectorAll(messageSelector)) {
				if (element.textContent?.includes(text)) {
					state.marks[mark] = performance.now();
					break;
				}
			}
		}
	};

	const reportNewMessages = (records: MutationRecord[]): void => {
		const found = new Set<Element>();
		for (const record of records) {
			const parent = record.target instanceof Element ? record.target : record.target.parentElement;
			const enclosing = parent?.closest(messageSelector);
			if (enclosing) found.add(enclosing);
			for (const node of record.addedNodes) {
				if (!(node instanceof Element)) continue;
				if (node.matches(messageSelector)) found.add(node);
				for (const inner of node.querySelectorAll(messageSelector)) found.add(inner);
			}
		}
		for (const element of found) {
			const text = element.textContent?.trim() ?? '';
			if (!text || reported.has(text)) continue;
			reported.add(text);
			requestAnimationFrame(() => target.__alcoveBenchSeen?.(text, epochNow()));
		}
	};

	new MutationObserver((records) => {
		checkMarks();
		if (options.reportMessages) reportNewMessages(records);
	}).observe(document, { childList: true, subtree: true, characterData: true });
}
