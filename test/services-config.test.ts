// The services' configuration: one schema, defaults filled in, every problem listed at once with
// its path, unknown keys reported (a misspelt key would otherwise silently keep the default).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfigFile, resolveConfig, type ConfigInput } from '../services/config.ts';
import { GOAL_STEPS } from '../shared/rewards.ts';

const SECRET = 'whsec_c2VjcmV0LWtleS1ieXRlcw==';
const SECRET2 = 'whsec_YW5vdGhlci1zZWNyZXQ=';
/** A valid bridge list for cases about something else. */
const HOME = [{ id: 'home', secrets: { reward: [SECRET] } }];
const KEY = 'ab'.repeat(32);

/** The problems an input gives, or [] when it is valid. */
function problems(input: unknown): string[] {
  try {
    resolveConfig(input as ConfigInput);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

describe('resolveConfig', () => {
  it('fills in every default', () => {
    expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toEqual({
      adminToken: null,
      bridges: [],
      reward: { goalSteps: GOAL_STEPS, amountFen: 88, currency: 'CNY', graceHours: 48 },
      social: {},
      plausibility: { dailyCap: 60000, maxStepsPerHour: 12000, regularMinHours: 6, regularMaxCv: 0.05 },
      webhookToleranceSec: 300,
      inFlightTtlSec: 60,
      idempotencyKeyTtlHours: 168,
      bodyLimitBytes: 65536,
      seed: { users: [], devices: [], friendships: [] },
    });
  });

  it('keeps what is given and defaults the rest of each section', () => {
    const c = resolveConfig({
      adminToken: 'x'.repeat(16),
      bridges: [{ id: 'home-pi', secrets: { reward: [SECRET, SECRET2] } }],
      reward: { amountFen: 100 },
      plausibility: { regularMaxCv: 0 },
      seed: { users: [{ id: 'alice', name: 'Alice', utcOffsetMin: -300 }], devices: [{ id: 'c0ffee000001', user: 'alice', bridge: 'home-pi', key: null }] },
    });
    expect(c.bridges).toEqual([{ id: 'home-pi', secrets: { reward: [SECRET, SECRET2], social: [] } }]);
    expect(c.reward).toEqual({ goalSteps: GOAL_STEPS, amountFen: 100, currency: 'CNY', graceHours: 48 });
    expect(c.plausibility).toEqual({ ...DEFAULT_CONFIG.plausibility, regularMaxCv: 0 });
    expect(c.seed).toEqual({ users: [{ id: 'alice', name: 'Alice', utcOffsetMin: -300 }], devices: [{ id: 'c0ffee000001', user: 'alice', bridge: 'home-pi', key: null }], friendships: [] });
  });
});

describe('services config errors', () => {
  it.each([
    [[], ['(top level): must be an object, got a list']],
    [{ adminToken: 'short' }, ['adminToken: must be null or at least 16 characters, got "short"']],
    [{ reward: { goalSteps: 0 } }, ['reward.goalSteps: must be a positive integer, got 0']],
    [{ reward: { amountFen: 0.5 } }, ['reward.amountFen: must be a positive integer, got 0.5']],
    [{ reward: { graceHours: -1 } }, ['reward.graceHours: must be a number >= 0, got -1']],
    [{ reward: { currency: 'yuan' } }, ['reward.currency: must be a currency code such as "CNY", got "yuan"']],
    [{ bridges: [{ id: 'home', secrets: { reward: ['hunter2'] } }] }, ['bridges[0].secrets.reward[0]: must be "whsec_" followed by base64 (Standard Webhooks)']],
    [{ bridges: [{ id: 'home', secrets: { social: SECRET } }] }, ['bridges[0].secrets.social: must be a list of "whsec_..." secrets, got "whsec_c2VjcmV0LWtleS1ieXRlcw=="']],
    [{ bridges: { home: {} } }, ['bridges: must be a list of bridges {id, secrets}, got {"home":{}}']],
    [{ bridges: [{ id: 'Home Pi', secrets: { reward: [SECRET] } }] }, ['bridges[0].id: must be 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit, got "Home Pi"']],
    [{ bridges: [{ id: 'home' }] }, ['bridges[0].secrets: must be an object, got nothing']],
    [{ bridges: [{ id: 'home', secrets: {} }] }, ['bridges[0].secrets: a bridge needs at least one secret (reward or social)']],
    [{ bridges: [{ id: 'home', secrets: { reward: [SECRET], leaderboard: [SECRET] } }] }, ['bridges[0].secrets.leaderboard: unknown key (known: reward, social)']],
    [{ bridges: [...HOME, { id: 'home', secrets: { social: [SECRET2] } }] }, ['bridges[1].id: bridge "home" is listed twice']],
    // The secret is what tells bridges apart: one shared by two would let each speak for the other's devices.
    [{ bridges: [...HOME, { id: 'cafe', secrets: { reward: [SECRET2], social: [SECRET] } }] }, ['bridges[1].secrets.social[0]: also a secret of bridge "home": each bridge needs its own, since the secret is what tells bridges apart']],
    [{ bridges: HOME, seed: { users: [{ id: 'a', name: 'A' }], devices: [{ id: 'c0ffee000001', user: 'a', bridge: 'cafe', key: null }] } }, ['seed.devices[0].bridge: no bridge "cafe" in bridges (known: home)']],
    [{ seed: { devices: [{ id: 'c0ffee000001', user: 'a', bridge: 'cafe', key: null }] } }, ['seed.devices[0].bridge: no bridge "cafe" in bridges (no bridges are listed)']],
    // The keys of before per-bridge credentials: an error that says where the secrets went.
    [{ reward: { webhookSecrets: [SECRET] } }, ['reward.webhookSecrets: no longer read: webhook secrets belong to a bridge now, bridges[].secrets.reward (docs/api.md, "Bridges")']],
    [{ social: { webhookSecrets: [SECRET] } }, ['social.webhookSecrets: no longer read: webhook secrets belong to a bridge now, bridges[].secrets.social (docs/api.md, "Bridges")']],
    [{ plausibility: { dailyCap: '60000' } }, ['plausibility.dailyCap: must be a positive integer, got "60000"']],
    [{ plausibility: { maxStepsPerHour: -5 } }, ['plausibility.maxStepsPerHour: must be a positive integer, got -5']],
    [{ plausibility: { regularMinHours: 0 } }, ['plausibility.regularMinHours: must be a positive integer, got 0']],
    [{ plausibility: { regularMaxCv: -0.1 } }, ['plausibility.regularMaxCv: must be a number >= 0, got -0.1']],
    [{ webhookToleranceSec: 0 }, ['webhookToleranceSec: must be a positive integer, got 0']],
    [{ inFlightTtlSec: null }, ['inFlightTtlSec: must be a positive integer, got null']],
    [{ bodyLimitBytes: 1e-3 }, ['bodyLimitBytes: must be a positive integer, got 0.001']],
    [{ webhookSecrets: [SECRET] }, ['webhookSecrets: unknown key (did you mean "webhookToleranceSec"?)']],
    [{ reward: { webhookSecret: [SECRET] } }, ['reward.webhookSecret: unknown key (did you mean "webhookSecrets"?)']],
    [{ seed: { users: [{ id: 'bad id', name: '' }] } }, ['seed.users[0].id: must be 1-64 letters, digits, "_", ".", "@" or "-", got "bad id"', 'seed.users[0].name: must be 1-80 characters, got ""']],
    [{ seed: { users: [{ id: 'a', name: 'A', utcOffsetMin: 900 }] } }, ['seed.users[0].utcOffsetMin: must be an integer in -720..840, got 900']],
    [{ bridges: HOME, seed: { devices: [{ id: 'C0FFEE000001', user: 'a', bridge: 'home', key: 'abc' }] } }, ['seed.devices[0].id: must be 12 lower-case hex digits, got "C0FFEE000001"', 'seed.devices[0].key: must be null or 64 hex digits, got "abc"']],
    [{ bridges: HOME, seed: { devices: [{ id: 'c0ffee000001', user: 'a', bridge: 'home' }] } }, ['seed.devices[0].key: must be null or 64 hex digits, got nothing']],
    [{ bridges: HOME, seed: { devices: [{ id: 'c0ffee000001', user: 'a', key: null }] } }, ['seed.devices[0].bridge: must be 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit, got nothing']],
    [{ seed: { friendships: [['a']] } }, [expect.stringMatching(/^seed\.friendships\[0\]: must be a pair of user ids/)]],
    [{ bridges: HOME, seed: { devices: [{ id: 'c0ffee000001', user: 'a', bridge: 'home', key: KEY, owner: 'b' }] } }, ['seed.devices[0].owner: unknown key (known: id, user, bridge, key)']],
  ])('%j', (input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  it('lists every problem at once, unknown keys first in their section', () => {
    expect(problems({ adminToken: 'short', reward: { goalSteps: -1, amountFen: 0, amount: 9 }, bodyLimit: 10, inFlightTtlSec: 0 })).toEqual([
      'bodyLimit: unknown key (did you mean "bodyLimitBytes"?)',
      'adminToken: must be null or at least 16 characters, got "short"',
      'reward.amount: unknown key (did you mean "amountFen"?)',
      'reward.goalSteps: must be a positive integer, got -1',
      'reward.amountFen: must be a positive integer, got 0',
      'inFlightTtlSec: must be a positive integer, got 0',
    ]);
  });

  it('checks the bridges even when other keys fail, so every problem is listed at once', () => {
    expect(problems({ bodyLimitBytes: 0, bridges: [...HOME, { id: 'cafe', secrets: { reward: [SECRET] } }], seed: { devices: [{ id: 'c0ffee000001', user: 'a', bridge: 'pub', key: null }] } })).toEqual([
      'bodyLimitBytes: must be a positive integer, got 0',
      'bridges[1].secrets.reward[0]: also a secret of bridge "home": each bridge needs its own, since the secret is what tells bridges apart',
      'seed.devices[0].bridge: no bridge "pub" in bridges (known: home, cafe)',
    ]);
  });
});

describe('loadConfigFile', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bushu-services-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it in every problem', () => {
    const file = join(dir, 'services.json');
    writeFileSync(file, JSON.stringify({ bridges: HOME, adminToken: 'a'.repeat(20) }));
    expect(loadConfigFile(file).bridges[0].secrets.reward).toEqual([SECRET]);
    writeFileSync(file, JSON.stringify({ reward: { goalSteps: 0 }, bridges: [{ id: 'home', secrets: { social: ['plain'] } }] }));
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    try {
      loadConfigFile(file);
    } catch (e) {
      expect((e as ConfigError).lines()).toEqual([
        `${file}: bridges[0].secrets.social[0]: must be "whsec_" followed by base64 (Standard Webhooks)`,
        `${file}: reward.goalSteps: must be a positive integer, got 0`,
      ]);
    }
  });

  it('says when the file is missing, not JSON, or not an object', () => {
    expect(() => loadConfigFile(join(dir, 'gone.json'))).toThrow(/gone\.json: cannot read: ENOENT/);
    writeFileSync(join(dir, 'bad.json'), '{"reward": }');
    expect(() => loadConfigFile(join(dir, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
    writeFileSync(join(dir, 'list.json'), '[1]');
    expect(() => loadConfigFile(join(dir, 'list.json'))).toThrow(/list\.json: \(top level\): must be an object, got a list$/);
  });
});
