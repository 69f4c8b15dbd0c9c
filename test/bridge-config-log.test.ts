import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandLogLevel, createLogger } from '../bridge/log.ts';

describe('createLogger', () => {
  it('writes JSON lines at or above its level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    log.info('hidden');
    log.warn({ key: 'k' }, 'shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, name: 'bushu', key: 'k', msg: 'shown' });
  });

  it('refuses an unknown level', () => {
    expect(() => createLogger({ level: 'loud' })).toThrow('log level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
  });

  it('takes --log-level from the root command, else the config', async () => {
    const program = new Command('bushu').option('--log-level <level>');
    let seen = '';
    program.command('x').action((_o, cmd: Command) => void (seen = commandLogLevel(cmd, 'info')));
    await program.parseAsync(['node', 'bushu', '--log-level', 'debug', 'x']);
    expect(seen).toBe('debug');
    await new Command('bushu').command('y').action((_o, cmd: Command) => void (seen = commandLogLevel(cmd, 'warn'))).parent!.parseAsync(['node', 'bushu', 'y']);
    expect(seen).toBe('warn');
  });
});
