/** The simulator's two logs (one BoundedLog): numbering, filters, clear. */
import { describe, expect, it } from 'vitest';
import { CallLog } from '../../src/simulator/call-log.js';
import { RequestLog } from '../../src/simulator/request-log.js';

const request = (platform: 'avisi' | 'aether', clusterId?: string) => ({
  at: '2026-01-01T00:00:00.000Z',
  platform,
  method: 'POST',
  path: '/api/v1/x',
  status: 202,
  body: null,
  ...(clusterId ? { clusterId } : {}),
});

describe('the simulator logs', () => {
  it('list requests by platform and by cluster id in any case', () => {
    const log = new RequestLog();
    log.add(request('avisi', 'abc'));
    log.add(request('aether', 'abc'));
    log.add(request('avisi'));
    expect(log.list().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(log.list({ platform: 'avisi' }).map((r) => r.seq)).toEqual([1, 3]);
    expect(log.list({ clusterId: 'ABC' }).map((r) => r.seq)).toEqual([1, 2]);
    expect(log.list({ platform: 'aether', clusterId: 'abc' }).map((r) => r.seq)).toEqual([2]);
    expect(log.list({ platform: '', clusterId: undefined })).toHaveLength(3);
  });

  it('list calls by client exactly, and keep numbering past a clear', () => {
    const log = new CallLog();
    const call = { platform: 'avisi' as const, method: 'GET', path: '/api/v1/x', arrivedAt: 1, status: 200 };
    log.add({ ...call, client: 'avisi:token-1' });
    log.add({ ...call, client: 'avisi:org/acme' });
    expect(log.list({ client: 'avisi:token-1' }).map((c) => c.seq)).toEqual([1]);
    expect(log.list({ client: 'AVISI:TOKEN-1' })).toEqual([]);
    log.clear();
    expect(log.list()).toEqual([]);
    log.add({ ...call, client: 'avisi:token-1' });
    expect(log.list().map((c) => c.seq)).toEqual([3]);
  });
});
