/** The three readers' config errors share one shape (domain/config-error.ts) and keep their own names and classes. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/domain/config-error.js';
import { NotifyConfigError } from '../../src/notify/channels.js';
import { PlatformConfigError } from '../../src/platforms/errors.js';
import { WorkerConfigError } from '../../src/worker-config.js';

describe('config errors', () => {
  const errors = [
    new WorkerConfigError('w', 'FLEET_W'),
    new NotifyConfigError('n', 'FLEET_NOTIFY_N_URL'),
    new PlatformConfigError('p', 'AVISI_API_TOKEN'),
  ];

  it('keep their names, messages and the variable to fix', () => {
    expect(errors.map((e) => [e.name, e.message, e.variable])).toEqual([
      ['WorkerConfigError', 'w', 'FLEET_W'],
      ['NotifyConfigError', 'n', 'FLEET_NOTIFY_N_URL'],
      ['PlatformConfigError', 'p', 'AVISI_API_TOKEN'],
    ]);
    expect(String(errors[0])).toBe('WorkerConfigError: w');
    expect(new PlatformConfigError('unknown platform').variable).toBeUndefined();
  });

  it('are caught by their own class, not by each other', () => {
    for (const error of errors) expect(error).toBeInstanceOf(ConfigError);
    expect(
      errors.map((e) => [
        e instanceof WorkerConfigError,
        e instanceof NotifyConfigError,
        e instanceof PlatformConfigError,
      ]),
    ).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  it('tell a platform client that a retry cannot help', () => {
    expect(new PlatformConfigError('p').retryable).toBe(false);
    expect(Object.keys(new WorkerConfigError('w', 'FLEET_W'))).not.toContain('retryable');
  });
});
