/**
 * Notification channels from the worker's environment (notify/channels.ts): what
 * defines a channel, and every way a variable can be wrong, each named by the variable
 * and never by its value (a webhook URL is a secret).
 */
import { describe, expect, it } from 'vitest';
import { NotifyConfigError, notifyChannelsFromEnv } from '../../src/notify/channels.js';
import { depsFromEnv } from '../../src/worker.js';
import { silentLogger } from '../../src/logger.js';
import { isWorkerEnvVar } from '../../src/worker-config.js';

const HOOK = 'https://hooks.slack.com/services/T000/B000/s3cr3t-hook-path';
const SECRET = 'whsec_do-not-print-me';

function configError(env: Record<string, string>): NotifyConfigError {
  try {
    notifyChannelsFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(NotifyConfigError);
    return error as NotifyConfigError;
  }
  throw new Error('expected a NotifyConfigError');
}

describe('notifyChannelsFromEnv', () => {
  it('defines a channel per URL, named in lower case, json unless told otherwise', () => {
    const channels = notifyChannelsFromEnv({
      FLEET_NOTIFY_OPS_URL: 'http://127.0.0.1:8787/_sim/notify/ops',
      FLEET_NOTIFY_OPS_SECRET: SECRET,
      FLEET_NOTIFY_RELEASE_CHAT_URL: HOOK,
      FLEET_NOTIFY_RELEASE_CHAT_FORMAT: 'Slack',
      FLEET_NOTIFY_EMPTY_URL: '',
      FLEET_HTTP_TIMEOUT_MS: '2000',
    });
    expect([...channels.keys()]).toEqual(['ops', 'release_chat']);
    expect(channels.get('ops')).toEqual({
      name: 'ops',
      url: 'http://127.0.0.1:8787/_sim/notify/ops',
      secret: SECRET,
      format: 'json',
    });
    expect(channels.get('release_chat')).toEqual({ name: 'release_chat', url: HOOK, format: 'slack' });
  });

  it('defines none without variables', () => {
    expect(notifyChannelsFromEnv({}).size).toBe(0);
  });

  it.each([
    [
      'a secret without its URL',
      { FLEET_NOTIFY_OPS_SECRET: SECRET },
      'FLEET_NOTIFY_OPS_URL',
      /^FLEET_NOTIFY_OPS_SECRET is set but FLEET_NOTIFY_OPS_URL is not/,
    ],
    [
      'a format without its URL',
      { FLEET_NOTIFY_OPS_FORMAT: 'slack' },
      'FLEET_NOTIFY_OPS_URL',
      /^FLEET_NOTIFY_OPS_FORMAT is set but FLEET_NOTIFY_OPS_URL is not/,
    ],
    [
      'a URL that is not http(s)',
      { FLEET_NOTIFY_OPS_URL: 'ftp://hooks.example.com/s3cr3t-hook-path' },
      'FLEET_NOTIFY_OPS_URL',
      /^FLEET_NOTIFY_OPS_URL must be an http:\/\/ or https:\/\/ URL \(its value is not shown/,
    ],
    [
      'a URL that is no URL',
      { FLEET_NOTIFY_OPS_URL: 's3cr3t-hook-path', FLEET_NOTIFY_OPS_SECRET: SECRET },
      'FLEET_NOTIFY_OPS_URL',
      /^FLEET_NOTIFY_OPS_URL must be an http/,
    ],
    [
      'an unknown format',
      { FLEET_NOTIFY_OPS_URL: HOOK, FLEET_NOTIFY_OPS_FORMAT: 'xml' },
      'FLEET_NOTIFY_OPS_FORMAT',
      /^FLEET_NOTIFY_OPS_FORMAT must be json or slack, got "xml"$/,
    ],
    [
      'a lower-case name',
      { FLEET_NOTIFY_ops_URL: HOOK },
      'FLEET_NOTIFY_ops_URL',
      /^FLEET_NOTIFY_ops_URL: the channel name "ops" must be 1-40 upper-case letters/,
    ],
    [
      'a name with a dash',
      { 'FLEET_NOTIFY_TEAM-A_URL': HOOK },
      'FLEET_NOTIFY_TEAM-A_URL',
      /channel name "TEAM-A" must be/,
    ],
    [
      'a name too long',
      { [`FLEET_NOTIFY_${'A'.repeat(41)}_URL`]: HOOK },
      `FLEET_NOTIFY_${'A'.repeat(41)}_URL`,
      /must be 1-40 upper-case letters/,
    ],
    ['no name', { FLEET_NOTIFY__URL: HOOK }, 'FLEET_NOTIFY__URL', /the channel name "" must be/],
    [
      'another setting',
      { FLEET_NOTIFY_OPS_TOKEN: SECRET },
      'FLEET_NOTIFY_OPS_TOKEN',
      /^FLEET_NOTIFY_OPS_TOKEN is not a notification setting: use FLEET_NOTIFY_<NAME>_URL/,
    ],
    [
      'a misspelt setting',
      { FLEET_NOTIFY_OPS_URLS: HOOK },
      'FLEET_NOTIFY_OPS_URLS',
      /^FLEET_NOTIFY_OPS_URLS is not a notification setting; did you mean FLEET_NOTIFY_OPS_URL\? \(use FLEET_NOTIFY_<NAME>_URL/,
    ],
    [
      'a misspelt format',
      { FLEET_NOTIFY_OPS_URL: HOOK, FLEET_NOTIFY_OPS_FROMAT: 'slack' },
      'FLEET_NOTIFY_OPS_FROMAT',
      /^FLEET_NOTIFY_OPS_FROMAT is not a notification setting; did you mean FLEET_NOTIFY_OPS_FORMAT\?/,
    ],
  ])('refuses %s, naming the variable and never a URL or secret', (_name, env, variable, message) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
    for (const secret of [HOOK, SECRET, 's3cr3t-hook-path', 'hooks.slack.com'])
      expect(error.message).not.toContain(secret);
  });

  it('stops the worker from building its activities (depsFromEnv)', () => {
    expect(() => depsFromEnv(silentLogger, { FLEET_NOTIFY_OPS_FORMAT: 'slack' })).toThrow(
      /FLEET_NOTIFY_OPS_URL is not/,
    );
    expect(depsFromEnv(silentLogger, { FLEET_NOTIFY_OPS_URL: HOOK }).notifyChannels?.has('ops')).toBe(true);
  });
});

describe('isWorkerEnvVar', () => {
  it('knows the notification patterns, prefixes and plain names, and nothing else', () => {
    expect(
      [
        'FLEET_NOTIFY_OPS_URL',
        'FLEET_NOTIFY_RELEASE_CHAT_SECRET',
        'FLEET_NOTIFY_OPS_FORMAT',
        'TEMPORAL_GRPC_META_X_TENANT',
        'FLEET_LOG_LEVEL',
      ].filter((name) => !isWorkerEnvVar(name)),
    ).toEqual([]);
    expect(
      ['FLEET_NOTIFY__URL', 'FLEET_NOTIFY_URL', 'FLEET_NOTIFY_OPS_TOKEN', 'FLEET_LOG_LEVELS'].filter(isWorkerEnvVar),
    ).toEqual([]);
  });
});
