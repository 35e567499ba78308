/**
 * The notification activities over real HTTP on loopback, against the simulator's
 * receiver (and a bare server for what it does not do: hang, echo the URL). Delivered
 * and signed; a retryable failure while the receiver is down (with its Retry-After),
 * then delivered once it is back; final on a 400 and on a channel the worker lacks; and
 * no URL or secret in any error or log line.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createActivities,
  type CheckNotifyChannelsInput,
  type CheckNotifyChannelsResult,
  type DeliverNotificationResult,
} from '../../src/activities/index.js';
import { notifyEvents } from '../../src/domain/notify-builders.js';
import type { EventSource, NotifyEvent } from '../../src/domain/notify-events.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { depsFromEnv } from '../../src/worker.js';

const SECRET = 'whsec_ops_0123456789abcdef';
/** Parts of the `parts` channel's URL that the receiver echoes one by one. */
const PATH_TOKEN = 's3cr3t-token-9f8e7d6c';
const QUERY_TOKEN = 'q%2Bs3cr3t%2F77a1';
const SOURCE: EventSource = { rolloutId: 'notify-activity-test', firstRunId: 'run-1' };

let sim: RunningSimulator;
let bare: Server;
let activities: ReturnType<typeof createActivities>;
let closedPort: number;
const lines: string[] = [];
const errors: string[] = [];

const event = (wave: string): NotifyEvent =>
  notifyEvents.waveDone(SOURCE, {
    wave,
    total: 0,
    counts: { SUCCEEDED: 0, SKIPPED: 0, FAILED: 0, MISSED: 0, SUPERSEDED: 0, BLOCKED: 0, CANCELLED: 0, NOT_STARTED: 0 },
  });
const deliveries = async (query = ''): Promise<NotifyDelivery[]> =>
  ((await (await fetch(`${sim.url}/_sim/notifications${query}`)).json()) as { notifications: NotifyDelivery[] })
    .notifications;
const control = async (path: string, body: unknown) => {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
};

/** The SDK's log lines of the mock activity runs (it logs each failure), kept with the worker's. */
const record = (level: string) => (message: string, meta?: unknown) =>
  void lines.push(JSON.stringify({ level, message, meta }));
const SDK_LOGGER: Logger = {
  log: (level, message, meta) => record(level)(message, meta),
  trace: record('TRACE'),
  debug: record('DEBUG'),
  info: record('INFO'),
  warn: record('WARN'),
  error: record('ERROR'),
};
const activityEnv = (attempt = 1) => new MockActivityEnvironment({ attempt }, { logger: SDK_LOGGER });

/** The activity's failure (every message kept, to be searched for secrets at the end). */
async function failure(channel: string, e: NotifyEvent, attempt = 1): Promise<ApplicationFailure> {
  const error = await activityEnv(attempt)
    .run(activities.deliverNotification, { channel, event: e })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(error).toBeInstanceOf(ApplicationFailure);
  errors.push((error as ApplicationFailure).message, JSON.stringify((error as ApplicationFailure).details));
  return error as ApplicationFailure;
}

const deliver = (channel: string, e: NotifyEvent, attempt = 1) =>
  activityEnv(attempt).run(activities.deliverNotification, { channel, event: e }) as Promise<DeliverNotificationResult>;

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 3, avisi: { clusters: 1 }, aether: { clusters: 1 } },
    notifySecrets: { ops: SECRET, wrong: SECRET },
  });
  // Never answers on /hang; on /echo answers 400 with the URL it was called at (a receiver that leaks it).
  bare = createServer((request, response) => {
    if (request.url?.startsWith('/echo'))
      response.writeHead(400).end(`no hook at http://${request.headers.host}${request.url} (did you mean another?)`);
    // Names back the URL's parts alone: the team, the token in the path, the key in the query (decoded).
    else if (request.url?.startsWith('/parts'))
      response
        .writeHead(400)
        .end(`unknown team T0a1b2c3d4 or token ${PATH_TOKEN} (key ${decodeURIComponent(QUERY_TOKEN)})`);
    else if (request.url?.startsWith('/moved'))
      response.writeHead(301, { location: 'http://elsewhere.example/' }).end();
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const barePort = (bare.address() as AddressInfo).port;
  const logger = createLogger(
    { level: 'debug' },
    new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }),
  );
  const deps = depsFromEnv(logger, {
    FLEET_NOTIFY_OPS_URL: `${sim.url}/_sim/notify/ops`,
    FLEET_NOTIFY_OPS_SECRET: SECRET,
    FLEET_NOTIFY_WRONG_URL: `${sim.url}/_sim/notify/wrong`,
    FLEET_NOTIFY_WRONG_SECRET: 'whsec_not_the_receivers',
    FLEET_NOTIFY_CHAT_URL: `${sim.url}/_sim/notify/chat`,
    FLEET_NOTIFY_CHAT_FORMAT: 'slack',
    FLEET_NOTIFY_HANG_URL: `http://127.0.0.1:${barePort}/hang/s3cr3t-path`,
    FLEET_NOTIFY_ECHO_URL: `http://127.0.0.1:${barePort}/echo/s3cr3t-path`,
    FLEET_NOTIFY_MOVED_URL: `http://127.0.0.1:${barePort}/moved/s3cr3t-path`,
    FLEET_NOTIFY_PARTS_URL: `http://127.0.0.1:${barePort}/parts/T0a1b2c3d4/${PATH_TOKEN}?v=1&key=${QUERY_TOKEN}`,
    FLEET_NOTIFY_DOWN_URL: `http://127.0.0.1:${closedPort}/s3cr3t-path`,
  });
  activities = createActivities({ ...deps, notifyDelivery: { timeoutMs: 500, maxRetryAfterMs: 60_000 } });
});
afterAll(async () => {
  await sim?.close();
  bare?.closeAllConnections();
  await new Promise((resolve) => bare?.close(resolve));
});

describe('deliverNotification', () => {
  it('delivers the event, signed, with its id and timestamp', async () => {
    const e = event('signed');
    expect(await deliver('ops', e)).toEqual({ channel: 'ops', eventId: e.id, status: 200, attempt: 1 });
    const [got] = await deliveries(`?eventId=${e.id}`);
    expect(got).toMatchObject({
      channel: 'ops',
      status: 200,
      eventId: e.id,
      signature: 'valid',
      duplicate: false,
      contentType: 'application/json',
      userAgent: 'fleetwave-notify',
      body: e,
    });
    expect(Math.abs(Number(got!.timestamp) - Date.now() / 1000)).toBeLessThan(10);
  });

  it('a signature made with another secret does not verify at the receiver', async () => {
    const e = event('wrong-secret');
    await deliver('wrong', e);
    expect((await deliveries(`?eventId=${e.id}`)).map((d) => d.signature)).toEqual(['invalid']);
  });

  it('sends slack channels {"text": ...}', async () => {
    const e = event('slack');
    await deliver('chat', e);
    const [got] = await deliveries(`?eventId=${e.id}`);
    expect(got!.body).toEqual({
      text: expect.stringContaining('wave slack done'),
      unfurl_links: false,
      unfurl_media: false,
    });
    expect(got!.signature).toBe('unchecked');
  });

  it('fails retryably while the receiver is down (honouring its Retry-After), then delivers; a second delivery is marked duplicate', async () => {
    const e = event('outage');
    await control('/_sim/notify/ops/outage', { failures: 2, retryAfterSeconds: 7 });
    for (const attempt of [1, 2]) {
      const down = await failure('ops', e, attempt);
      expect(down).toMatchObject({ type: 'NotifyDeliveryFailed', nonRetryable: false, nextRetryDelay: 7_000 });
      expect(down.message).toBe(
        'notification channel "ops": the receiver answered 503 Service Unavailable: {"error":"channel ops is down (simulated outage)"}',
      );
    }
    expect(await deliver('ops', e, 3)).toMatchObject({ status: 200, attempt: 3 });
    await deliver('ops', e, 4);
    expect((await deliveries(`?eventId=${e.id}`)).map((d) => [d.status, d.signature, d.duplicate])).toEqual([
      [503, 'valid', false],
      [503, 'valid', false],
      [200, 'valid', false],
      [200, 'valid', true],
    ]);
  });

  it('bounds a Retry-After by maxRetryAfterMs', async () => {
    await control('/_sim/notify/ops/outage', { failures: 1, status: 429, retryAfterSeconds: 3600 });
    expect(await failure('ops', event('long-wait'))).toMatchObject({
      type: 'NotifyDeliveryFailed',
      nonRetryable: false,
      nextRetryDelay: 60_000,
    });
  });

  it('is final on a 400, naming the channel', async () => {
    await control('/_sim/notify/ops/outage', { failures: 1, status: 400 });
    const refused = await failure('ops', event('refused'));
    expect(refused).toMatchObject({ type: 'NotifyDeliveryRefused', nonRetryable: true });
    expect(refused.message).toMatch(/^notification channel "ops": the receiver answered 400 Bad Request/);
  });

  it('is final on a redirect, which it does not follow', async () => {
    const moved = await failure('moved', event('moved'));
    expect(moved).toMatchObject({ type: 'NotifyDeliveryRefused', nonRetryable: true });
    expect(moved.message).toMatch(
      /answered 301 .*redirects are not followed: point FLEET_NOTIFY_MOVED_URL at the final address$/,
    );
  });

  it('cuts the URL out of an answer that echoes it', async () => {
    const echoed = await failure('echo', event('echo'));
    expect(echoed.message).toBe(
      'notification channel "echo": the receiver answered 400 Bad Request: no hook at [redacted] (did you mean another?)',
    );
    expect(echoed.message).not.toContain('s3cr3t-path');
  });

  it('cuts out each part of the URL an answer names back alone: a path segment, a query value, decoded too', async () => {
    const echoed = await failure('parts', event('parts'));
    expect(echoed.message).toBe(
      'notification channel "parts": the receiver answered 400 Bad Request: unknown team [redacted] or token [redacted] (key [redacted])',
    );
  });

  it('fails retryably on a timeout and on a refused connection', async () => {
    expect(await failure('hang', event('hang'))).toMatchObject({
      type: 'NotifyDeliveryFailed',
      nonRetryable: false,
      message: 'notification channel "hang": no answer within 500 ms',
    });
    expect(await failure('down', event('down'))).toMatchObject({
      type: 'NotifyDeliveryFailed',
      nonRetryable: false,
      message: 'notification channel "down": could not reach the receiver (ECONNREFUSED)',
    });
  });

  it('is final for a channel this worker does not define, naming the variable to set', async () => {
    const missing = await failure('pager', event('pager'));
    expect(missing).toMatchObject({ type: 'NotifyChannelUndefined', nonRetryable: true });
    expect(missing.message).toBe(
      'notification channel "pager" is not defined on this worker (set FLEET_NOTIFY_PAGER_URL; it defines chat, down, echo, hang, moved, ops, parts, wrong)',
    );
  });
});

describe('checkNotifyChannels', () => {
  it("names each entry whose channel the worker lacks, by the spec's field", async () => {
    const input: CheckNotifyChannelsInput = {
      notify: [{ channel: 'ops' }, { channel: 'pager', events: ['approval.needed'] }, { channel: 'opz' }],
    };
    const result = (await activityEnv().run(activities.checkNotifyChannels, input)) as CheckNotifyChannelsResult;
    expect(result.problems).toEqual([
      {
        field: 'notify[1].channel',
        message:
          'channel "pager" is not defined on this worker (set FLEET_NOTIFY_PAGER_URL; it defines chat, down, echo, hang, moved, ops, parts, wrong)',
      },
      // A near miss of a channel it defines is most likely a typo.
      {
        field: 'notify[2].channel',
        message:
          'channel "opz" is not defined on this worker; did you mean "ops"? (or set FLEET_NOTIFY_OPZ_URL; it defines chat, down, echo, hang, moved, ops, parts, wrong)',
      },
    ]);
    expect(result.defined).toContain('ops');
  });
});

describe('secrets', () => {
  it('no error message and no log line carries a URL path or a secret', () => {
    expect(errors.length).toBeGreaterThan(8);
    expect(lines.length).toBeGreaterThan(8);
    const text = [...errors, ...lines].join('\n');
    for (const secret of [
      SECRET,
      'whsec_not_the_receivers',
      's3cr3t-path',
      PATH_TOKEN,
      'T0a1b2c3d4',
      's3cr3t/77a1',
      '/_sim/notify/',
      sim.url,
    ])
      expect(text).not.toContain(secret);
  });
});
