// A bad configuration at the command line: every command prints one `bushu: file: path: problem`
// line per problem and exits 1, with no stack trace and no error object. The config is read
// before any Bluetooth or database work, so no adapter is needed to reach the error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDaemon } from '../cli/run.ts';
import { runScan } from '../cli/scan.ts';
import { runServe } from '../cli/serve.ts';
import { runStatus } from '../cli/status.ts';
import { runSync } from '../cli/sync.ts';

/** Collects what a command writes; typed as the stream the commands take. */
function sink() {
  const s = { text: '', write: (t: string) => void (s.text += t) };
  return s as typeof s & NodeJS.WritableStream;
}

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bushu-config-cli-'));
  file = join(dir, 'bushu.config.json');
  // Three problems: an unknown key, a wrong type and a bad URL.
  writeFileSync(file, JSON.stringify({ dataDri: './x', delivery: { concurrency: 'many' }, services: [{ name: 'walkcoin', url: 'ftp://x', secret: 'whsec_AA==' }] }));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const expected = () => [
  `bushu: ${file}: dataDri: unknown key (did you mean "dataDir"?)`,
  `bushu: ${file}: services[0].url: must be an http(s) URL, got "ftp://x"`,
  `bushu: ${file}: delivery.concurrency: must be an integer in 1..64, got "many"`,
];

describe('a bad config at the command line', () => {
  it.each([
    ['status', (err: ReturnType<typeof sink>) => runStatus({ config: file, db: join(dir, 'bushu.db') }, sink(), err)],
    ['scan', (err: ReturnType<typeof sink>) => runScan({ config: file }, undefined, sink(), err)],
    ['sync', (err: ReturnType<typeof sink>) => runSync({ config: file }, undefined, sink(), err)],
    ['run', (err: ReturnType<typeof sink>) => runDaemon({ config: file }, undefined, sink(), err)],
  ])('bushu %s prints one line per problem and exits 1', async (_name, run) => {
    const err = sink();
    expect(await run(err)).toBe(1);
    expect(err.text.split('\n')).toEqual([...expected(), '']);
  });

  it('names an environment variable as the place to fix', async () => {
    writeFileSync(file, '{}');
    vi.stubEnv('BUSHU_LOG_LEVEL', 'chatty');
    vi.stubEnv('BUSHU_DB', '');
    const err = sink();
    expect(await runScan({ config: file }, undefined, sink(), err)).toBe(1);
    expect(err.text).toBe(
      `bushu: ${file}: BUSHU_DB: must not be empty\nbushu: ${file}: BUSHU_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "chatty"\n`,
    );
  });

  it('bushu serve prints one line per problem of its own config and exits 1', async () => {
    writeFileSync(file, JSON.stringify({ adminToken: 'short', reward: { goalStep: 9000, amountFen: 0 } }));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    const before = process.exitCode;
    try {
      await runServe({ config: file, port: '0', host: '127.0.0.1', db: join(dir, 'never.db') });
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
    expect(errors).toEqual([
      `bushu: ${file}: adminToken: must be null or at least 16 characters, got "short"`,
      `bushu: ${file}: reward.goalStep: unknown key (did you mean "goalSteps"?)`,
      `bushu: ${file}: reward.amountFen: must be a positive integer, got 0`,
    ]);
  });
});
