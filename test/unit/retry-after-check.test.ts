/**
 * The "no request before its Retry-After" check of the API-fault test (a test helper,
 * so shown here to fail when it should): calls of the same client inside a 429's wait
 * are violations; other clients, calls after the wait, and calls already in flight
 * when the 429 went out are not.
 */
import { describe, expect, it } from 'vitest';
import type { LoggedCall } from '../../src/simulator/call-log.js';
import { retryAfterViolations } from '../support/retry-after-check.js';

let seq = 0;
const call = (client: string, arrivedAt: number, extra: Partial<LoggedCall> = {}): LoggedCall => ({
  seq: ++seq,
  platform: 'aether',
  client,
  method: 'GET',
  path: '/api/v1/organizations/x/clusters',
  arrivedAt,
  answeredAt: arrivedAt + 2,
  status: 200,
  ...extra,
});
const refusal = (client: string, at: number, seconds: number) =>
  call(client, at, { status: 429, retryAfterSeconds: seconds, answeredAt: at, fault: 'rate-limit' });

describe('retryAfterViolations', () => {
  it('flags a call of the same client that arrives while the wait runs', () => {
    const limited = refusal('a', 1_000, 2);
    const early = call('a', 2_500);
    expect(retryAfterViolations([limited, early], 100)).toEqual([{ refusal: limited, early, earlyByMs: 500 }]);
  });

  it('lets other clients, calls after the wait, and calls already in flight through', () => {
    const calls = [refusal('a', 1_000, 2), call('a', 1_050), call('b', 1_500), call('a', 3_000), call('a', 900)];
    expect(retryAfterViolations(calls, 100)).toEqual([]);
  });

  it('checks every refusal, not only the first', () => {
    const calls = [refusal('a', 1_000, 1), call('a', 2_000), refusal('a', 2_001, 1), call('a', 2_600)];
    expect(retryAfterViolations(calls, 100).map((v) => v.early.arrivedAt)).toEqual([2_600]);
  });
});
