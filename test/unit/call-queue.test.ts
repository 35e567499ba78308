/**
 * The API budget's client asks once for every call waiting in its process
 * (src/activities/call-budget.ts CallQueue): the reservations here are a plain function,
 * the budget workflow's side is test/integration/api-budget.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CallQueue } from '../../src/activities/call-budget.js';
import { ApiBudgetExhaustedError } from '../../src/platforms/errors.js';
import type { ApiCallGrant } from '../../src/workflows/messages.js';

/** A reservation function that answers each ask with `answer(count)` and records the counts. */
function budget(answer: (count: number) => ApiCallGrant) {
  const asked: number[] = [];
  let release: () => void = () => {};
  let held = new Promise<void>((resolve) => (release = resolve));
  const reserve = async (count: number) => {
    asked.push(count);
    await held;
    return answer(count);
  };
  return {
    asked,
    reserve,
    open: () => {
      release();
      held = Promise.resolve();
    },
  };
}

describe('CallQueue', () => {
  it('asks once for the calls that wait while an ask is out', async () => {
    const b = budget((count) => ({ granted: true, waitMs: 0, waits: Array.from({ length: count }, (_, i) => i * 10) }));
    const queue = new CallQueue(b.reserve);
    const waits = Array.from({ length: 6 }, () => queue.take(undefined));
    b.open();
    expect(await Promise.all(waits)).toEqual([0, 0, 10, 20, 30, 40]);
    expect(b.asked).toEqual([1, 5]);
  });

  it('fails the calls the budget could not place in time, with the wait it named', async () => {
    const b = budget(() => ({ granted: true, waitMs: 0, waits: [0, 5], refusedWaitMs: 25_000 }));
    const queue = new CallQueue(b.reserve);
    const first = queue.take(undefined);
    const rest = Array.from({ length: 4 }, () => queue.take(undefined).then(String, (e: unknown) => e));
    b.open();
    await first;
    const answers = await Promise.all(rest);
    expect(answers.slice(0, 2)).toEqual(['0', '5']);
    for (const refused of answers.slice(2)) {
      expect(refused).toBeInstanceOf(ApiBudgetExhaustedError);
      expect((refused as ApiBudgetExhaustedError).message).toMatch(/25/);
    }
  });

  it('takes one call a grant from a budget that answers one at a time (an older worker), and asks again', async () => {
    const b = budget(() => ({ granted: true, waitMs: 7 }));
    const queue = new CallQueue(b.reserve);
    const calls = Array.from({ length: 3 }, () => queue.take(undefined));
    b.open();
    expect(await Promise.all(calls)).toEqual([7, 7, 7]);
    expect(b.asked).toEqual([1, 2, 1]);
  });

  it('withdraws a call whose signal aborts while it waits its turn', async () => {
    const b = budget((count) => ({ granted: true, waitMs: 0, waits: Array(count).fill(0) }));
    const queue = new CallQueue(b.reserve);
    const first = queue.take(undefined);
    const abort = new AbortController();
    const second = queue.take(abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(second).rejects.toThrow('cancelled');
    b.open();
    await first;
    expect(b.asked).toEqual([1]);
  });
});
