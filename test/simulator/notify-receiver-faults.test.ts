/**
 * The notify receiver's faults (`PUT /_sim/notify/{channel}/faults`): every delivery held
 * for a random delay in the range (recorded when answered), a seeded share answered 503;
 * `{}` ends them, a bad body is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ generate: { seed: 2, avisi: { clusters: 1 }, aether: { clusters: 1 } } });
});
afterAll(async () => {
  await sim?.close();
});

const put = (channel: string, body: unknown) =>
  fetch(`${sim.url}/_sim/notify/${channel}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const deliver = (channel: string, id: string) =>
  fetch(`${sim.url}/_sim/notify/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-fleetwave-event-id': id },
    body: JSON.stringify({ id }),
  });
const recorded = async (channel: string): Promise<NotifyDelivery[]> =>
  (
    (await (await fetch(`${sim.url}/_sim/notifications?channel=${channel}`)).json()) as {
      notifications: NotifyDelivery[];
    }
  ).notifications;

describe('notify receiver faults', () => {
  it('holds each delivery within the range and fails a seeded share with 503', async () => {
    expect((await put('flaky', { minDelayMs: 20, maxDelayMs: 60, errorRate: 0.5, seed: 3 })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await deliver('flaky', `evt_${i}`)).status);
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    const got = await recorded('flaky');
    expect(got.map((d) => d.status)).toEqual(statuses);
    for (const d of got) expect(Date.parse(d.answeredAt!) - Date.parse(d.receivedAt)).toBeGreaterThanOrEqual(19);

    // The same seed draws the same faults.
    expect((await put('again', { minDelayMs: 20, maxDelayMs: 60, errorRate: 0.5, seed: 3 })).status).toBe(200);
    const again: number[] = [];
    for (let i = 0; i < 20; i++) again.push((await deliver('again', `evt_${i}`)).status);
    expect(again).toEqual(statuses);
  });

  it('refuses a bad body and ends the faults with {}', async () => {
    const bad = await put('ops', { maxDelayMs: -1, errorRate: 2 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/maxDelayMs/);
    expect((await put('ops', { minDelayMs: 10, maxDelayMs: 5 })).status).toBe(400);
    expect(await (await put('ops', {})).json()).toEqual({ channel: 'ops', faults: null });
    expect((await deliver('ops', 'evt_ok')).status).toBe(200);
  });
});
