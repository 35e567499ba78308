/**
 * The simulator's logs (request-log.ts, call-log.ts): entries numbered from 1 over the
 * simulator's life, the newest kept, listed by equal fields. One class, so both logs
 * bound, number and filter the same way.
 */

/** Bounded so a long benchmark cannot exhaust memory; the oldest entries go first. */
const MAX_ENTRIES = 500_000;

/** How a field's filter value is read before it is compared (request-log.ts: cluster ids lower-cased). */
export type FilterFolds<K extends string> = Partial<Record<K, (value: string) => string>>;

export class BoundedLog<T extends { readonly seq: number }, K extends keyof T & string> {
  private entries: T[] = [];
  private seq = 0;

  constructor(private readonly folds: FilterFolds<K> = {}) {}

  add(entry: Omit<T, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry } as T);
    if (this.entries.length > MAX_ENTRIES) this.entries = this.entries.slice(-MAX_ENTRIES);
  }

  /** In the order they were added; a filter field that is absent or empty matches every entry. */
  list(filter: Partial<Record<K, string>> = {}): T[] {
    const wanted = (Object.keys(filter) as K[]).flatMap((key) => {
      const value = filter[key];
      return value ? [[key, this.folds[key]?.(value) ?? value] as const] : [];
    });
    return this.entries.filter((entry) => wanted.every(([key, value]) => entry[key] === value));
  }

  /** Keeps the sequence counter, so seq stays unique over the simulator's life. */
  clear(): void {
    this.entries = [];
  }
}
