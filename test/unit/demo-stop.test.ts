/**
 * DemoStop's order and bounds without signals (demo-keep.test.ts sends the real ones):
 * steps run last registered first, one that never settles is left behind after its
 * time and the rest still run, and a failing one does not stop the others.
 */
import { describe, expect, it } from 'vitest';
import { DemoStop } from '../../src/cli/commands/demo-stop.js';

describe('DemoStop', () => {
  it('runs every step, last registered first, past one that hangs and one that fails', async () => {
    const said: string[] = [];
    const stop = new DemoStop((line) => said.push(line));
    const ran: string[] = [];
    stop.onStop('the dev server', async () => void ran.push('dev server'), 1000);
    stop.onStop(
      'the simulator',
      async () => {
        ran.push('simulator');
        throw new Error('already closed');
      },
      1000,
    );
    stop.onStop(
      'the worker',
      () => {
        ran.push('worker');
        return new Promise<void>(() => undefined);
      },
      50,
    );

    expect(await stop.stop()).toBe(true);
    expect(ran).toEqual(['worker', 'simulator', 'dev server']);
    expect(said).toEqual(['the worker did not stop within 50 ms; going on']);
    expect(stop.interrupted).toBe(false);
  });

  it('says nothing and needs no exit when everything stopped by itself', async () => {
    const said: string[] = [];
    const stop = new DemoStop((line) => said.push(line));
    stop.onStop('the worker', async () => undefined, 1000);
    expect(await stop.stop()).toBe(false);
    expect(said).toEqual([]);
  });

  it('leaves the signals to others once stopped', async () => {
    const before = process.listenerCount('SIGINT');
    const stop = new DemoStop(() => undefined);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    await stop.stop();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
