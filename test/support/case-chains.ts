/**
 * Runs chains of test cases side by side, a few at a time: the cases of one chain in order
 * (later ones act on what earlier ones left), chains at once, because each case is a CLI
 * process that mostly waits. Each case's outcome is kept for the `it` that checks it.
 */

export interface Chain<K> {
  /** Done first, through a slot as a case is; failing, every case of the chain fails with its error. */
  readonly setup?: () => Promise<unknown>;
  readonly cases: readonly K[];
}

export type Outcome<R> = { readonly result: R } | { readonly error: unknown };

/** At most `slots` works at once; an urgent one (a chain's next step) goes before the ones not yet begun. */
function limiter(slots: number) {
  const waiting: (() => void)[] = [];
  let free = slots;
  return async <T>(work: () => Promise<T>, urgent: boolean): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => (urgent ? waiting.unshift(resolve) : waiting.push(resolve)));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** Starts every chain now; the map holds each case's outcome, settled (never rejected) once it ran. */
export function runChains<K, R>(
  chains: readonly Chain<K>[],
  run: (k: K) => Promise<R>,
  slots: number,
): Map<K, Promise<Outcome<R>>> {
  const slot = limiter(slots);
  const outcomes = new Map<K, Promise<Outcome<R>>>();
  for (const chain of chains) {
    const ready = chain.setup ? slot(chain.setup, false) : Promise.resolve();
    // The previous case settled, whatever its outcome: a case that failed does not stop the next.
    let turn: Promise<unknown> = ready;
    chain.cases.forEach((k, i) => {
      const urgent = i > 0 || chain.setup !== undefined;
      const result = turn.then(() => ready).then(() => slot(() => run(k), urgent));
      const outcome = result.then(
        (r): Outcome<R> => ({ result: r }),
        (error: unknown): Outcome<R> => ({ error }),
      );
      outcomes.set(k, outcome);
      turn = outcome;
    });
  }
  return outcomes;
}
