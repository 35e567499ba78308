/**
 * A read board: the activities of one worker process that want to read items of one
 * organisation (clusters, upgrades) ask the board, and the board answers them in rounds.
 * A round reads every item asked for the cheaper way: one request each, or the
 * organisation's list pages (which answer for up to a page of items each), stopping at
 * the page that answers the last one asked for. So a hundred clusters in flight cost a
 * few list pages a poll, not a hundred reads, and a large organisation with one cluster
 * in flight is not listed. Rounds never overlap: asks that come during one go in the next.
 *
 * Each ask says when it wants its read (`at`) and how much earlier it may be served
 * (`earlyBy`): pollers due within half an interval of each other share a round, so
 * polls fall into step after one round. An answer comes from a round that started after
 * the ask, so it is as fresh as a read the asker would have made itself.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface ReadAsk {
  /** What makes two asks the same read: a cluster's id; an upgrade's cluster and target. */
  readonly key: string;
}

export interface ReadPage<Value> {
  readonly found: ReadonlyMap<string, Value>;
  /** The next page's cursor; absent after the last page. */
  readonly next?: string;
}

export interface ReadSource<Ask extends ReadAsk, Value> {
  /** Reads one item by itself. */
  readonly one: (ask: Ask) => Promise<Value>;
  /** Reads one list page, answering (by ask key) for the items asked for that are on it. Absent: no listing. */
  readonly page?: (asks: ReadonlyMap<string, Ask>, cursor: string | undefined) => Promise<ReadPage<Value>>;
}

export interface ReadWhen {
  /** When the read is wanted, ms since the epoch. */
  readonly at: number;
  /** How much earlier a round may serve it (0: not before `at`). */
  readonly earlyBy: number;
}

export interface BoardRead<Value> {
  readonly value: Value;
  /** When the round that read it started. */
  readonly readAt: number;
}

interface Waiter<Ask, Value> {
  readonly ask: Ask;
  readonly when: ReadWhen;
  readonly resolve: (read: BoardRead<Value>) => void;
  readonly reject: (error: unknown) => void;
}

/** What a board has done, for benchmarks and tests. */
export interface BoardCounts {
  rounds: number;
  pages: number;
  singles: number;
}

export class ReadBoard<Ask extends ReadAsk, Value> {
  readonly counts: BoardCounts = { rounds: 0, pages: 0, singles: 0 };
  #waiting: Waiter<Ask, Value>[] = [];
  #reading = false;
  #wake: AbortController | undefined;
  /** List pages a full listing took last time; undefined until one finished. */
  #pages: number | undefined;

  constructor(
    private readonly source: ReadSource<Ask, Value>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The item, read by a round that starts no earlier than `when` allows; `signal` withdraws the ask. */
  read(ask: Ask, when: ReadWhen, signal?: AbortSignal): Promise<BoardRead<Value>> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const withdraw = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index < 0) return; // already in a round: its answer comes, and is dropped
        this.#waiting.splice(index, 1);
        reject(signal!.reason);
      };
      // The listener goes with the answer: an activity's signal outlives many reads.
      const settled = () => signal?.removeEventListener('abort', withdraw);
      const waiter: Waiter<Ask, Value> = {
        ask,
        when,
        resolve: (read) => (settled(), resolve(read)),
        reject: (error) => (settled(), reject(error)),
      };
      this.#waiting.push(waiter);
      signal?.addEventListener('abort', withdraw, { once: true });
      this.#schedule();
    });
  }

  /** Starts the next round when its first ask is due, unless one is running (it schedules on its way out). */
  #schedule(): void {
    if (this.#reading || this.#waiting.length === 0) return;
    const due = Math.min(...this.#waiting.map((w) => w.when.at));
    const wait = due - this.now();
    this.#wake?.abort();
    if (wait <= 0) {
      void this.#round();
      return;
    }
    const wake = (this.#wake = new AbortController());
    delay(wait, undefined, { signal: wake.signal, ref: false }).then(
      () => this.#schedule(),
      () => {},
    );
  }

  async #round(): Promise<void> {
    this.#reading = true;
    const readAt = this.now();
    // Serving an ask early is free only by the page; one by one it would be a read more.
    const early = (w: Waiter<Ask, Value>) => (this.source.page ? w.when.earlyBy : 0);
    const served = this.#waiting.filter((w) => w.when.at - early(w) <= readAt);
    this.#waiting = this.#waiting.filter((w) => !served.includes(w));
    this.counts.rounds++;
    try {
      const asks = new Map(served.map((w) => [w.ask.key, w.ask]));
      const values = this.#listingIsCheaper(asks.size) ? await this.#list(asks) : new Map<string, Value>();
      const failures = new Map<string, unknown>();
      const alone = [...asks.values()].filter((ask) => !values.has(ask.key));
      await Promise.all(alone.map((ask) => this.#one(ask, values, failures)));
      for (const waiter of served) {
        const { key } = waiter.ask;
        if (values.has(key)) waiter.resolve({ value: values.get(key)!, readAt });
        else waiter.reject(failures.get(key));
      }
    } catch (error) {
      for (const waiter of served) waiter.reject(error);
    } finally {
      this.#reading = false;
      this.#schedule();
    }
  }

  /** Listing costs its pages (one, before a listing has said how many); reading one by one, one each. */
  #listingIsCheaper(items: number): boolean {
    return this.source.page !== undefined && items > (this.#pages ?? 1);
  }

  async #list(asks: ReadonlyMap<string, Ask>): Promise<Map<string, Value>> {
    const values = new Map<string, Value>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await this.source.page!(asks, cursor);
      pages++;
      for (const [key, value] of page.found) if (asks.has(key)) values.set(key, value);
      cursor = page.next;
    } while (cursor !== undefined && values.size < asks.size);
    this.counts.pages += pages;
    // A listing that stopped early says only that there are at least this many pages.
    this.#pages = cursor === undefined ? pages : Math.max(this.#pages ?? 0, pages);
    return values;
  }

  /** An item the listing did not answer for (or no listing): read alone; its error rejects only its askers. */
  async #one(ask: Ask, values: Map<string, Value>, failures: Map<string, unknown>): Promise<void> {
    this.counts.singles++;
    try {
      values.set(ask.key, await this.source.one(ask));
    } catch (error) {
      failures.set(ask.key, error);
    }
  }
}
