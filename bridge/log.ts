// The bridge's one logger factory: pino, JSON lines on stderr (stdout stays free for command
// output and `--json`), level from --log-level, BUSHU_LOG_LEVEL or the config.
import { pino, type DestinationStream, type Logger } from 'pino';
import { LOG_LEVELS, type LogLevel } from './config.ts';

export type { Logger } from 'pino';

export interface LogOptions {
  level?: LogLevel | string;
  /** Where the JSON lines go; stderr by default, a collector in tests. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LOG_LEVELS.includes(level as LogLevel)) throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  return pino({ name: options.name ?? 'bushu', level, base: undefined }, options.destination ?? pino.destination(2));
}

/** For tests and library callers that want no output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The level for a command: the global --log-level (read from the root command), else the
 * config's (which already folds in BUSHU_LOG_LEVEL).
 */
export function commandLogLevel(cmd: { parent: unknown; opts(): Record<string, unknown> }, configLevel: LogLevel): string {
  let root = cmd;
  while (root.parent) root = root.parent as typeof cmd;
  const flag = root.opts().logLevel;
  return typeof flag === 'string' ? flag : configLevel;
}
