/**
 * The read board (src/activities/read-board.ts) over an in-memory listing: which way a
 * round reads (pages or one by one), that asks due together share a round, and that a
 * failure reaches exactly the asks it concerns.
 */
import { describe, expect, it } from 'vitest';
import { ReadBoard, type ReadAsk, type ReadSource } from '../../src/activities/read-board.js';

/** An organisation of `size` items listed `perPage` at a time; records every request. */
function listing(size: number, perPage: number, failing: ReadonlySet<string> = new Set()) {
  const ids = Array.from({ length: size }, (_, i) => `c${String(i).padStart(4, '0')}`);
  const requests: string[] = [];
  let pageFails = false;
  const source: ReadSource<ReadAsk, string> = {
    one: async ({ key }) => {
      requests.push(`one ${key}`);
      if (failing.has(key) || !ids.includes(key)) throw new Error(`no ${key}`);
      return `value of ${key}`;
    },
    page: async (_asks, cursor) => {
      requests.push(`page ${cursor ?? 0}`);
      if (pageFails) throw new Error('page refused');
      const from = Number(cursor ?? 0);
      const onPage = ids.slice(from, from + perPage).filter((id) => !failing.has(id));
      const next = from + perPage < ids.length ? { next: String(from + perPage) } : {};
      return { found: new Map(onPage.map((id) => [id, `value of ${id}`])), ...next };
    },
  };
  return { ids, requests, source, failPages: () => (pageFails = true) };
}

const now = () => ({ at: Date.now(), earlyBy: 0 });

describe('ReadBoard', () => {
  it('reads one ask alone, and many asked together by the page, stopping at the last one asked for', async () => {
    const org = listing(500, 100);
    const board = new ReadBoard(org.source);
    expect((await board.read({ key: 'c0007' }, now())).value).toBe('value of c0007');
    expect(org.requests).toEqual(['one c0007']);

    org.requests.length = 0;
    const asked = org.ids.slice(0, 250).filter((_, i) => i % 3 === 0);
    const values = await Promise.all(asked.map((key) => board.read({ key }, now())));
    expect(values.map((read) => read.value)).toEqual(asked.map((key) => `value of ${key}`));
    // The first ask starts a round of its own; the rest, asked meanwhile, share the next: three pages of five.
    expect(org.requests).toEqual(['one c0000', 'page 0', 'page 100', 'page 200']);
    expect(board.counts).toMatchObject({ pages: 3, singles: 2 });
  });

  it('reads one by one when that is cheaper than the pages a full listing took', async () => {
    const org = listing(500, 100);
    const board = new ReadBoard(org.source);
    await Promise.all(['c0000', 'c0001', 'c0499'].map((key) => board.read({ key }, now())));
    org.requests.length = 0;
    // Five pages a listing now: four asks are cheaper alone.
    const four = ['c0010', 'c0020', 'c0030', 'c0040'];
    await Promise.all(four.map((key) => board.read({ key }, now())));
    expect(org.requests.filter((r) => r.startsWith('page'))).toEqual([]);
    expect(org.requests.filter((r) => r.startsWith('one')).sort()).toEqual(four.map((key) => `one ${key}`));
  });

  it('serves asks due within their early margin in one round, and none before it is due', async () => {
    const org = listing(50, 100);
    const board = new ReadBoard(org.source);
    const start = Date.now();
    const reads = await Promise.all(
      ['c0001', 'c0002', 'c0003'].map((key, i) => board.read({ key }, { at: start + 150 + i * 20, earlyBy: 100 })),
    );
    expect(new Set(reads.map((read) => read.readAt)).size).toBe(1);
    expect(reads[0]!.readAt).toBeGreaterThanOrEqual(start + 150);
    expect(org.requests).toEqual(['page 0']);
  });

  it('serves no ask early where there is no listing: one by one, an early read is a read more', async () => {
    const org = listing(50, 100);
    const board = new ReadBoard({ one: org.source.one });
    const start = Date.now();
    const late = board.read({ key: 'c0002' }, { at: start + 300, earlyBy: 300 });
    await board.read({ key: 'c0001' }, { at: start, earlyBy: 0 });
    expect(org.requests).toEqual(['one c0001']);
    expect((await late).readAt).toBeGreaterThanOrEqual(start + 300);
  });

  it('reads alone what the listing does not answer for; its failure reaches only its asker', async () => {
    const org = listing(30, 10, new Set(['c0005']));
    const board = new ReadBoard(org.source);
    await board.read({ key: 'c0001' }, now());
    const asked = ['c0005', 'c0006', 'c0007'].map((key) => board.read({ key }, now()).then((r) => r.value, String));
    expect(await Promise.all(asked)).toEqual(['Error: no c0005', 'value of c0006', 'value of c0007']);
    expect(org.requests).toContain('one c0005');
  });

  it('fails every ask of a round whose page fails', async () => {
    const org = listing(30, 10);
    const board = new ReadBoard(org.source);
    await board.read({ key: 'c0001' }, now());
    org.failPages();
    const together = { at: Date.now() + 20, earlyBy: 0 };
    const failed = ['c0002', 'c0003'].map((key) => board.read({ key }, together).then(String, (e: Error) => e.message));
    expect(await Promise.all(failed)).toEqual(['page refused', 'page refused']);
    expect(org.requests).toEqual(['one c0001', 'page 0']);
  });

  it('withdraws an ask whose signal aborts before its round', async () => {
    const org = listing(10, 10);
    const board = new ReadBoard(org.source);
    const abort = new AbortController();
    const read = board.read({ key: 'c0001' }, { at: Date.now() + 60_000, earlyBy: 0 }, abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(read).rejects.toThrow('cancelled');
    expect(org.requests).toEqual([]);
  });
});
