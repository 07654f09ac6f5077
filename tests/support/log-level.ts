import { setLogLevel, type LogLevel } from '../../src/lib/matrix/logger.ts';

// Tests are quiet unless ALCOVE_LOG_LEVEL asks for more, e.g. ALCOVE_LOG_LEVEL=debug.
setLogLevel((process.env.ALCOVE_LOG_LEVEL as LogLevel | undefined) ?? 'warn');
