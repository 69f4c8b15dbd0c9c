// pino's level names, in a module of their own: the command registry validates --log-level
// with them before loading the config schema or pino.
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
