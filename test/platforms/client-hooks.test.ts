/**
 * The hooks the worker plugs into the clients (activities/client-hooks.ts).
 * `onApiError`, which the worker turns into `fleet_api_errors_total`: one event per
 * failed attempt (the clients' own retries included), labelled by HTTP status or by
 * what went wrong without one; none for calls that succeed or were never sent; and a
 * hook that throws, or counting outside an activity, never fails a call. `callSignal`:
 * a call made for work that is cancelled stops at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityCancellationSignal, countApiError } from '../../src/activities/client-hooks.js';
import { createAvisiClient, PlatformApiError } from '../../src/platforms/index.js';
import type { ApiErrorEvent } from '../../src/platforms/http.js';
import { rejectionOf, startFakeApi, type FakeApi } from './support/fake-api.js';

const FAST = { retryLimit: 2, backoffLimitMs: 20, maxRetryAfterMs: 1_000, timeoutMs: 500 };
const VERSIONS = [{ version: 'v1.31.6-u-ame.1' }];

describe('onApiError', () => {
  let api: FakeApi;
  let events: ApiErrorEvent[];
  const client = (onApiError: (event: ApiErrorEvent) => void = (event) => events.push(event)) =>
    createAvisiClient({ apiUrl: api.url, token: 'avisi-secret-token-1234', ...FAST, onApiError });

  beforeEach(async () => {
    api = await startFakeApi();
    events = [];
  });
  afterEach(() => api.close());

  it('hears of every failed attempt, retries included, by status', async () => {
    api.route(
      'GET',
      '/cluster-versions',
      { status: 503, body: { message: 'down' } },
      { status: 429, headers: { 'retry-after': '0' }, body: { message: 'slow down' } },
      { body: VERSIONS },
    );

    await expect(client().listVersions()).resolves.toHaveLength(1);
    expect(events).toEqual([
      { platform: 'avisi', method: 'GET', status: '503' },
      { platform: 'avisi', method: 'GET', status: '429' },
    ]);
  });

  it('hears of the last attempt too, and of 4xx that are not retried', async () => {
    api.route('GET', '/cluster-versions', { status: 502, raw: 'Bad Gateway' });
    expect(await rejectionOf(client().listVersions())).toBeInstanceOf(PlatformApiError);
    expect(events.map((e) => e.status)).toEqual(['502', '502', '502']);

    events = [];
    api.route('GET', '/orgs/acme/clusters', { status: 403, body: { message: 'forbidden' } });
    expect(await rejectionOf(client().listClusterPage('acme'))).toBeInstanceOf(PlatformApiError);
    expect(events).toEqual([{ platform: 'avisi', method: 'GET', status: '403' }]);
  });

  it('labels failures without a readable answer: timeout, invalid_response', async () => {
    api.route('GET', '/cluster-versions', { hang: true });
    expect(await rejectionOf(client().listVersions())).toMatchObject({ code: 'timeout' });
    expect(events.map((e) => e.status)).toEqual(['timeout', 'timeout', 'timeout']);

    events = [];
    api.route('GET', '/cluster-versions', { body: { not: 'a list' } });
    expect(await rejectionOf(client().listVersions())).toMatchObject({ code: 'invalid_response' });
    expect(events.map((e) => e.status)).toEqual(['invalid_response']);
  });

  it('hears nothing of calls that succeed or are never sent', async () => {
    api.route('GET', '/cluster-versions', { body: VERSIONS });
    await client().listVersions();
    const tokenless = createAvisiClient({
      apiUrl: api.url,
      token: '',
      ...FAST,
      onApiError: (event) => events.push(event),
    });
    expect(await rejectionOf(tokenless.listVersions())).toMatchObject({ code: 'missing_token' });
    expect(events).toEqual([]);
  });

  it('a hook that throws changes nothing about the call', async () => {
    const throwing = client(() => {
      throw new Error('metrics broke');
    });
    api.route('GET', '/cluster-versions', { status: 500, body: { message: 'oops' } }, { body: VERSIONS });
    await expect(throwing.listVersions()).resolves.toHaveLength(1);
    api.route('GET', '/orgs/acme/clusters', { status: 404, body: { message: 'no such organisation' } });
    expect(await rejectionOf(throwing.listClusterPage('acme'))).toMatchObject({ status: 404 });
  });

  it("the worker's hook counts nothing outside an activity (client tests, the CLI), without failing", async () => {
    expect(() => countApiError({ platform: 'avisi', method: 'GET', status: '503' })).not.toThrow();
    api.route('GET', '/cluster-versions', { status: 503, body: { message: 'down' } }, { body: VERSIONS });
    await expect(client(countApiError).listVersions()).resolves.toHaveLength(1);
  });
});

describe('callSignal', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi();
  });
  afterEach(() => api.close());

  it('aborts a call when the work it is made for is cancelled, without counting it as an API error', async () => {
    api.route('GET', '/cluster-versions', { hang: true });
    const work = new AbortController();
    const events: ApiErrorEvent[] = [];
    const client = createAvisiClient({
      apiUrl: api.url,
      token: 'avisi-secret-token-1234',
      ...FAST,
      timeoutMs: 60_000,
      onApiError: (e) => events.push(e),
      callSignal: () => work.signal,
    });
    const call = client.listVersions();
    await expect.poll(() => api.requests.length).toBe(1);
    const reason = new Error('the activity was cancelled');
    work.abort(reason);
    expect(await rejectionOf(call)).toBe(reason);
    expect(events).toEqual([]);
  });

  it('is no signal outside an activity', () => {
    expect(activityCancellationSignal()).toBeUndefined();
  });
});
