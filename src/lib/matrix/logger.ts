import loglevel from 'loglevel';
import { logger as sdkLogger } from 'matrix-js-sdk/lib/logger.js';

/** Log levels from the most to the least verbose. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = {
	trace: 0,
	debug: 1,
	info: 2,
	warn: 3,
	error: 4,
	silent: 5
};
let threshold = rank.warn;

function rankOf(methodName: string): number {
	return methodName in rank ? rank[methodName as LogLevel] : rank.info;
}

/**
 * The SDK sets each of its loggers to DEBUG when it creates it, so a level set
 * once would not hold for loggers created later. Instead every `matrix*`
 * logger writes through a factory that checks the current threshold, and
 * child loggers inherit that factory from their parent.
 */
function installThreshold(): void {
	for (const [name, instance] of Object.entries(loglevel.getLoggers())) {
		if (!name.startsWith('matrix')) continue;
		const original = instance.methodFactory;
		if ((original as { alcoveFiltered?: boolean }).alcoveFiltered) continue;
		const filtered: loglevel.MethodFactory = (methodName, level, loggerName) => {
			const write = original(methodName, level, loggerName);
			const methodRank = rankOf(methodName);
			return function (this: unknown, ...args: unknown[]) {
				if (methodRank >= threshold) write.apply(this, args);
			};
		};
		(filtered as { alcoveFiltered?: boolean }).alcoveFiltered = true;
		instance.methodFactory = filtered;
		instance.rebuild();
	}
}

/** Sets the lowest level that Alcove and the SDK write to the console. */
export function setLogLevel(level: LogLevel): void {
	threshold = rank[level];
	installThreshold();
}

/**
 * Alcove's logger, a child of the SDK's loglevel logger so both share levels
 * and output. Log IDs, counts, sizes and error codes; never tokens, passwords,
 * recovery keys, message or note text, or people's names.
 */
export const logger = sdkLogger.getChild('[Alcove]');

installThreshold();
