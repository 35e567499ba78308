/**
 * The worker's settings from the environment: each bad value fails the start with one
 * line naming the variable, before the worker connects to anything.
 */
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WORKER_PROCESS_ENV_VARS, workerConfigFromEnv } from '../../src/worker-config.js';
import { fleet } from '../support/fleet-cli.js';

const failure = (env: NodeJS.ProcessEnv): string => {
  try {
    workerConfigFromEnv(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('workerConfigFromEnv', () => {
  it("bundles at start with the default grace time, a sticky timeout of 60 s and the SDK's other defaults when nothing is set", () => {
    const defaults = {
      shutdownGraceTimeMs: 10_000,
      tuning: { stickyQueueScheduleToStartTimeout: 60_000 },
      requireNamespace: false,
    };
    expect(workerConfigFromEnv({})).toEqual(defaults);
    expect(
      workerConfigFromEnv({
        FLEET_WORKFLOW_BUNDLE: ' ',
        FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: '',
        FLEET_WORKER_STICKY_TIMEOUT: '',
      }),
    ).toEqual(defaults);
  });

  it('takes a prebuilt bundle that exists, as an absolute path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-bundle-'));
    const file = join(dir, 'workflow-bundle.js');
    writeFileSync(file, '// bundle');
    expect(workerConfigFromEnv({ FLEET_WORKFLOW_BUNDLE: file }).workflowBundlePath).toBe(file);
  });

  it('names the variable and the path when the bundle is missing', () => {
    const message = failure({ FLEET_WORKFLOW_BUNDLE: '/nonexistent/workflow-bundle.js' });
    expect(message).toBe(
      'FLEET_WORKFLOW_BUNDLE: no workflow bundle at /nonexistent/workflow-bundle.js (build one with `npm run build`, or unset the variable to bundle at start)',
    );
    // A directory is not a bundle either.
    expect(failure({ FLEET_WORKFLOW_BUNDLE: tmpdir() })).toMatch(/^FLEET_WORKFLOW_BUNDLE: no workflow bundle at /);
  });

  it('maps the tuning variables to the SDK options', () => {
    const config = workerConfigFromEnv({
      FLEET_WORKER_MAX_CACHED_WORKFLOWS: '500',
      FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: '200',
      FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '50',
      FLEET_WORKER_SHUTDOWN_GRACE_TIME: '45s',
      FLEET_WORKER_STICKY_TIMEOUT: '2m',
      FLEET_WORKER_REQUIRE_NAMESPACE: 'true',
    });
    expect(config).toEqual({
      shutdownGraceTimeMs: 45_000,
      tuning: {
        maxCachedWorkflows: 500,
        maxConcurrentActivityTaskExecutions: 200,
        maxConcurrentWorkflowTaskExecutions: 50,
        stickyQueueScheduleToStartTimeout: 120_000,
      },
      requireNamespace: true,
    });
    expect(
      workerConfigFromEnv({ FLEET_WORKER_MAX_CACHED_WORKFLOWS: '0', FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '80' })
        .tuning,
    ).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 80,
      stickyQueueScheduleToStartTimeout: 60_000,
    });
  });

  it('rejects values the SDK would silently change, naming the variable', () => {
    expect(failure({ FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' })).toBe(
      'FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES must be a whole number >= 1, got "many"',
    );
    expect(failure({ FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: '0' })).toBe(
      'FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES must be a whole number >= 1, got "0"',
    );
    expect(failure({ FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toBe(
      'FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS must be a whole number >= 2, got "1"',
    );
    expect(failure({ FLEET_WORKER_MAX_CACHED_WORKFLOWS: '2.5' })).toBe(
      'FLEET_WORKER_MAX_CACHED_WORKFLOWS must be a whole number >= 0, got "2.5"',
    );
    expect(failure({ FLEET_WORKER_MAX_CACHED_WORKFLOWS: '1' })).toBe(
      'FLEET_WORKER_MAX_CACHED_WORKFLOWS must be 0 (no cache) or at least 2, got 1',
    );
    expect(failure({ FLEET_WORKER_MAX_CACHED_WORKFLOWS: '10', FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20' })).toBe(
      'FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (20) cannot exceed FLEET_WORKER_MAX_CACHED_WORKFLOWS (10) unless the cache is off (0)',
    );
    expect(failure({ FLEET_WORKER_SHUTDOWN_GRACE_TIME: 'soon' })).toBe(
      'FLEET_WORKER_SHUTDOWN_GRACE_TIME must be a duration such as "30s" or "2m", got "soon"',
    );
    expect(failure({ FLEET_WORKER_STICKY_TIMEOUT: '60' })).toBe(
      'FLEET_WORKER_STICKY_TIMEOUT must be a duration such as "30s" or "2m", got "60"',
    );
    expect(failure({ FLEET_WORKER_REQUIRE_NAMESPACE: 'yes' })).toBe(
      'FLEET_WORKER_REQUIRE_NAMESPACE must be true or false, got "yes"',
    );
  });

  it('serves metrics only when FLEET_METRICS_ADDRESS says where; a port alone binds loopback', () => {
    expect(workerConfigFromEnv({}).metricsAddress).toBeUndefined();
    const address = (value: string) => workerConfigFromEnv({ FLEET_METRICS_ADDRESS: value }).metricsAddress;
    expect(address('9464')).toBe('127.0.0.1:9464');
    expect(address('127.0.0.1:9464')).toBe('127.0.0.1:9464');
    expect(address('localhost:9464')).toBe('127.0.0.1:9464');
    expect(address('[::1]:9464')).toBe('[::1]:9464');
    // Any other host is the operator's explicit choice, e.g. for a Prometheus outside the container.
    expect(address('0.0.0.0:9464')).toBe('0.0.0.0:9464');
  });

  it('rejects a metrics address the SDK could not bind, naming the variable', () => {
    const expected = (value: string) =>
      `FLEET_METRICS_ADDRESS must be host:port with an IP address (127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464) or a port alone (binds 127.0.0.1), got ${JSON.stringify(value)}`;
    for (const bad of [
      'metrics.internal:9464',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '::1:9464',
      '[127.0.0.1]:9464',
      '127.0.0.1:',
      'on',
    ]) {
      expect(failure({ FLEET_METRICS_ADDRESS: bad })).toBe(expected(bad));
    }
  });
});

describe('fleet worker with a bad setting', () => {
  // Nothing listens on port 1: had the worker tried to connect, the error would say so.
  const unreachable = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

  it('fails in one line naming the missing bundle, before it connects', async () => {
    const result = await fleet({ ...unreachable, FLEET_WORKFLOW_BUNDLE: '/nonexistent/workflow-bundle.js' }, 'worker');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'fleet: FLEET_WORKFLOW_BUNDLE: no workflow bundle at /nonexistent/workflow-bundle.js (build one with `npm run build`, or unset the variable to bundle at start)',
    ]);
  });

  it('fails in one line naming a bad tuning variable, before it connects', async () => {
    const result = await fleet({ ...unreachable, FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: 'lots' }, 'worker');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'fleet: FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES must be a whole number >= 1, got "lots"',
    ]);
  });

  it('fails in one line naming FLEET_METRICS_ADDRESS when its port is taken, before it connects', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const address = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
      const result = await fleet({ ...unreachable, FLEET_METRICS_ADDRESS: address }, 'worker');
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^fleet: FLEET_METRICS_ADDRESS: cannot serve metrics on ${address}: .*in use`),
        ),
      ]);
    } finally {
      taken.close();
    }
  });
});

describe('WORKER_PROCESS_ENV_VARS', () => {
  const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
  // The CLI, the dev server, the simulator and the build scripts read their own variables.
  const NOT_THE_WORKER = new Set(['cli', 'devserver', 'simulator', 'build']);

  it('lists every variable the worker modules read by name', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
      (path) => path.endsWith('.ts') && !NOT_THE_WORKER.has(path.split(sep)[0] as string),
    );
    const read = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const match of text.matchAll(/\benv\s*(?:\.\s*([A-Z][A-Z0-9_]+)|\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\])/g))
        read.add((match[1] ?? match[2]) as string);
    }
    // Platform variables are read through their descriptors (PLATFORM_ENV_VARS, test/platforms/registry.test.ts).
    expect([...read]).toEqual(expect.arrayContaining(['FLEET_HTTP_TIMEOUT_MS', 'FLEET_TASK_QUEUE', 'FLEET_LOG_LEVEL']));
    expect([...read].filter((name) => !WORKER_PROCESS_ENV_VARS.includes(name))).toEqual([]);
  });
});
