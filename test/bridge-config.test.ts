import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, enabledServices, loadConfig, parseConfig } from '../bridge/config.ts';

const SECRET = 'whsec_c2VjcmV0LWtleS1ieXRlcw==';
const svc = (over: object = {}) => ({ name: 'walkcoin', url: 'https://walkcoin.example/api', secret: SECRET, ...over });

/** The problems a config object gives, or [] when it is valid. */
function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(raw, env, '/etc/bushu.config.json', '/etc');
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bushu-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('gives the defaults when the default file is missing', () => {
    const c = loadConfig(undefined, {}, dir);
    expect(c).toMatchObject({ file: null, dataDir: join(dir, 'data'), db: join(dir, 'data', 'bushu.db'), services: [], users: {}, logLevel: 'info' });
    expect(c.delivery).toEqual({ baseDelayMs: 1000, maxDelayMs: 3_600_000, retryForHours: 72, deadRetryHours: 6, concurrency: 4 });
  });

  it('reads the file, resolving paths against it, with defaults filled in', () => {
    writeFileSync(join(dir, 'bushu.config.json'), JSON.stringify({ dataDir: 'state', users: { alice: { devices: ['c0ffee000001'] } }, services: [svc(), svc({ name: 'off', enabled: false })] }));
    const c = loadConfig(undefined, {}, dir);
    expect(c.db).toBe(join(dir, 'state', 'bushu.db'));
    expect(c.deviceUsers).toEqual({ c0ffee000001: 'alice' });
    expect(c.services[0]).toEqual({ ...svc(), timeoutMs: 10000, enabled: true });
    expect(enabledServices(c)).toEqual(['walkcoin']);
  });

  it('takes the path from BUSHU_CONFIG and refuses a named file that is missing', () => {
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ db: 'x.db' }));
    expect(loadConfig(undefined, { BUSHU_CONFIG: 'other.json' }, dir).db).toBe(join(dir, 'x.db'));
    expect(() => loadConfig(undefined, { BUSHU_CONFIG: 'gone.json' }, dir)).toThrow(/gone\.json: no such file \(from BUSHU_CONFIG\)/);
    expect(() => loadConfig('gone.json', {}, dir)).toThrow(/gone\.json: no such file$/);
  });

  it('reports JSON syntax errors with the file name', () => {
    writeFileSync(join(dir, 'bushu.config.json'), '{"services": [}');
    expect(() => loadConfig(undefined, {}, dir)).toThrow(/bushu\.config\.json: not valid JSON/);
  });

  it('applies environment overrides', () => {
    const env = {
      BUSHU_DB: 'env.db',
      BUSHU_LOG_LEVEL: 'debug',
      BUSHU_SERVICE_WALKCOIN_URL: 'http://127.0.0.1:9/x',
      BUSHU_SERVICE_STEP_BANK_URL: 'https://bank.example',
      BUSHU_SERVICE_STEP_BANK_SECRET: SECRET,
    };
    const c = parseConfig({ services: [svc()] }, env, null, '/etc', '/home/me');
    expect(c.db).toBe('/home/me/env.db');
    expect(c.logLevel).toBe('debug');
    expect(c.services.map((s) => [s.name, s.url])).toEqual([
      ['walkcoin', 'http://127.0.0.1:9/x'],
      ['step_bank', 'https://bank.example'],
    ]);
  });
});

describe('config errors', () => {
  it.each([
    [[], ['(top level): must be an object, got a list']],
    [{ servces: [] }, ['servces: unknown key (did you mean "services"?)']],
    [{ zzz: 1 }, [expect.stringMatching(/^zzz: unknown key \(known: \$schema, dataDir, db, users/)]],
    [{ dataDir: 3 }, ['dataDir: must be a non-empty string, got 3']],
    [{ services: {} }, ['services: must be a list of {name, url, secret}']],
    [{ services: [svc(), svc({ name: 'other', url: 'ftp://x' })] }, ['services[1].url: must be an http(s) URL, got "ftp://x"']],
    [{ services: [svc({ url: 'not a url' })] }, ['services[0].url: must be an http(s) URL, got "not a url"']],
    [{ services: [svc({ secret: 'hunter2' })] }, ['services[0].secret: must be "whsec_" followed by base64 (Standard Webhooks)']],
    [{ services: [svc({ name: 'walk coin' })] }, ['services[0].name: must be letters, digits, ".", "_" or "-"']],
    [{ services: [svc(), svc()] }, ['services[1].name: duplicate service "walkcoin"']],
    [{ services: [svc({ timeoutMs: 0 })] }, ['services[0].timeoutMs: must be an integer in 1..600000, got 0']],
    [{ services: [svc({ enabled: 'yes' })] }, ['services[0].enabled: must be true or false, got "yes"']],
    [{ services: [svc({ urll: 'x' })] }, ['services[0].urll: unknown key (did you mean "url"?)']],
    [{ users: { a: { devices: ['C0FFEE000001'] } } }, ['users.a.devices[0]: must be 12 lower-case hex digits, got "C0FFEE000001"']],
    [{ users: { a: { devices: 'c0ffee000001' } } }, ['users.a.devices: must be a list of 12-hex-digit device ids']],
    [{ users: { a: { devices: ['c0ffee000001'] }, b: { devices: ['c0ffee000001'] } } }, ['users.b.devices[0]: device c0ffee000001 already belongs to user "a"; a device may belong to one user only']],
    [{ users: { a: { devics: [] } } }, ['users.a.devics: unknown key (did you mean "devices"?)', 'users.a.devices: must be a list of 12-hex-digit device ids']],
    [{ delivery: { retryForHours: 0 } }, ['delivery.retryForHours: must be an integer in 1..720, got 0']],
    [{ delivery: { maxAttempts: 10 } }, ['delivery.maxAttempts: no longer used: delivery retries for retryForHours (default 72) instead; remove it']],
    [{ delivery: { baseDelayMs: 5000, maxDelayMs: 10 } }, ['delivery.maxDelayMs: must be at least baseDelayMs (5000)']],
    [{ ble: { scanSecs: 5 } }, ['ble.scanSecs: unknown key (did you mean "scanSeconds"?)']],
    [{ ble: { connectTimeoutMs: 1.5 } }, ['ble.connectTimeoutMs: must be an integer in 100..600000, got 1.5']],
    [{ logLevel: 'loud' }, ['logLevel: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"']],
  ])('%j', (raw, expected) => {
    expect(problems(raw)).toEqual(expected);
  });

  it('reports every problem at once, in the message too', () => {
    const p = problems({ services: [svc({ url: 'x', secret: 'y' })], delivery: { concurrency: 100 } });
    expect(p).toHaveLength(3);
    const error = (() => {
      try {
        parseConfig({ services: [svc({ url: 'x', secret: 'y' })] }, {}, '/etc/bushu.config.json', '/etc');
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error?.message).toBe(
      '/etc/bushu.config.json: invalid configuration:\n  services[0].url: must be an http(s) URL, got "x"\n  services[0].secret: must be "whsec_" followed by base64 (Standard Webhooks)',
    );
    // What a command prints: one self-contained line per problem.
    expect(error?.lines()).toEqual([
      '/etc/bushu.config.json: services[0].url: must be an http(s) URL, got "x"',
      '/etc/bushu.config.json: services[0].secret: must be "whsec_" followed by base64 (Standard Webhooks)',
    ]);
  });

  it('lists problems of every section at once: unknown keys, types, limits, cross-checks, environment', () => {
    const raw = {
      servces: [],
      users: { a: { devices: ['c0ffee000001', 'nope'] }, b: { devices: ['c0ffee000001'] } },
      services: [svc(), svc(), svc({ name: 'other', url: 'x' })],
      delivery: { maxAttempts: 0, retries: 3 },
      ble: { scanSeconds: 'ten' },
      logLevel: 'loud',
    };
    expect(problems(raw, { BUSHU_SERVICE_LONE_URL: 'https://lone.example' })).toEqual([
      'servces: unknown key (did you mean "services"?)',
      'users.a.devices[1]: must be 12 lower-case hex digits, got "nope"',
      'users.b.devices[0]: device c0ffee000001 already belongs to user "a"; a device may belong to one user only',
      'services[2].url: must be an http(s) URL, got "x"',
      'services[1].name: duplicate service "walkcoin"',
      'delivery.retries: unknown key (did you mean "retryForHours"?)',
      'delivery.maxAttempts: no longer used: delivery retries for retryForHours (default 72) instead; remove it',
      'ble.scanSeconds: must be an integer in 1..3600, got "ten"',
      'logLevel: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'BUSHU_SERVICE_LONE_URL: service "lone" is not in the config file, so both BUSHU_SERVICE_LONE_URL and BUSHU_SERVICE_LONE_SECRET are needed',
    ]);
  });

  it('checks the metrics and MQTT outputs, BUSHU_MQTT_URL under its own name', () => {
    expect(problems({ metrics: { port: 70000 }, mqtt: { url: 'http://broker', topicPrefix: 'bushu/#' } }, {})).toEqual([
      'metrics.port: must be an integer in 0..65535, got 70000',
      'mqtt.url: must be null or an mqtt:// or mqtts:// URL, got "http://broker"',
      'mqtt.topicPrefix: must be an MQTT topic without wildcards, spaces or a leading or trailing "/", got "bushu/#"',
    ]);
    expect(problems({}, { BUSHU_MQTT_URL: 'broker:1883' })).toEqual(['BUSHU_MQTT_URL: must be null or an mqtt:// or mqtts:// URL, got "broker:1883"']);
  });

  it('takes an environment value instead of the file\'s, so only its own problems count', () => {
    expect(problems({ services: [svc({ url: 'ftp://x' })] }, { BUSHU_SERVICE_WALKCOIN_URL: 'https://ok.example' })).toEqual([]);
    expect(problems({ services: [svc()], logLevel: 'loud' }, { BUSHU_LOG_LEVEL: 'warn' })).toEqual([]);
    expect(problems({ services: [svc()] }, { BUSHU_SERVICE_LONE_URL: 'ftp://x', BUSHU_SERVICE_LONE_SECRET: 'plain' })).toEqual([
      'BUSHU_SERVICE_LONE_URL: must be an http(s) URL, got "ftp://x"',
      'BUSHU_SERVICE_LONE_SECRET: must be "whsec_" followed by base64 (Standard Webhooks)',
    ]);
  });

  it.each([
    [{ BUSHU_LOG_LEVEL: 'chatty' }, 'BUSHU_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "chatty"'],
    [{ BUSHU_DB: '' }, 'BUSHU_DB: must not be empty'],
    [{ BUSHU_SERVICE_WALKCOIN_URL: 'gopher://x' }, 'BUSHU_SERVICE_WALKCOIN_URL: must be an http(s) URL, got "gopher://x"'],
    [{ BUSHU_SERVICE_WALKCOIN_SECRET: 'plain' }, 'BUSHU_SERVICE_WALKCOIN_SECRET: must be "whsec_" followed by base64 (Standard Webhooks)'],
    [{ BUSHU_SERVICE_OTHER_URL: 'https://o.example' }, 'BUSHU_SERVICE_OTHER_URL: service "other" is not in the config file, so both BUSHU_SERVICE_OTHER_URL and BUSHU_SERVICE_OTHER_SECRET are needed'],
  ])('environment %j', (env, expected) => {
    expect(problems({ services: [svc()] }, env)).toEqual([expected]);
  });
});
