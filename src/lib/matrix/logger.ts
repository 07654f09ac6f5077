import { logger as sdkLogger } from 'matrix-js-sdk/lib/logger.js';

/**
 * Alcove's logger, a child of the SDK's loglevel logger so both share levels
 * and output. Log IDs, counts, sizes and error codes; never tokens, passwords,
 * recovery keys, message or note text, or people's names.
 */
export const logger = sdkLogger.getChild('[Alcove]');
