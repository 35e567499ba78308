/**
 * "Did you mean": the one place that decides which known name an unknown one most likely
 * meant, for every door that refuses a key or a name (spec fields at every level, a
 * wave's `match` values at planning, notification channels, the worker's variables).
 *
 * A guess is offered only when it is near enough to be a typo, so a line never points
 * at a name that has nothing to do with what was typed (`colour` gets no guess):
 * - the same name once case and separators are ignored (`max_parallel` -> `maxParallel`);
 * - else the nearest by edits (insert, delete, replace, swap two neighbours), at most a
 *   third of the longer name's length (`matches` -> `match`, `regoin` -> `region`,
 *   `opz` -> `ops`), and fewer edits than the guess has letters;
 * - else the only name that starts with what was typed, or that it starts with
 *   (`prod` -> `production`), at least three letters long.
 *
 * Pure and deterministic (workflow code parses specs with it).
 */
import { quote } from './quote.js';

/** Longer words are not typos of a name; comparing them would only cost time. */
const MAX_WORD = 200;
/** Unknown keys one answer names (a raw object may hold thousands). */
const MAX_KEYS = 10;
/** Of a prefix guess: the shorter of the two names has at least this many characters. */
const MIN_PREFIX = 3;

const plain = (text: string): string => text.toLowerCase().replace(/[-_.\s]/g, '');

/**
 * Edits from `a` to `b` (optimal string alignment: a swap of neighbours is one edit),
 * or `limit + 1` as soon as it is sure to exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let cell = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cell = Math.min(cell, before[j - 2]! + 1);
      current.push(cell);
      rowMin = Math.min(rowMin, cell);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** Edits allowed between a word and a guess: a third of the longer, at least one. */
const allowedEdits = (word: string, guess: string): number =>
  Math.max(1, Math.floor(Math.max(word.length, guess.length) / 3));

/** The known name `word` most likely meant (rules above), or undefined. `word` itself when it is known. */
export function closestName(word: string, known: Iterable<string>): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD) return undefined;
  const names = [...new Set(known)].filter((name) => name.length > 0 && name.length <= MAX_WORD);
  if (names.includes(word)) return word;
  const same = names.find((name) => plain(name) === plain(word));
  if (same !== undefined) return same;
  const lower = word.toLowerCase();
  let best: { name: string; edits: number } | undefined;
  for (const name of names) {
    const allowed = Math.min(allowedEdits(word, name), name.length - 1);
    const edits = editDistance(lower, name.toLowerCase(), allowed);
    if (edits <= allowed && (!best || edits < best.edits)) best = { name, edits };
  }
  if (best) return best.name;
  const prefixed = names.filter((name) => {
    const other = name.toLowerCase();
    return Math.min(other.length, lower.length) >= MIN_PREFIX && (other.startsWith(lower) || lower.startsWith(other));
  });
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/**
 * `did you mean <guess>?` for an unknown `word`, or undefined when no known name is near.
 * `show` words the guess (quoted for values: `did you mean "staging"?`).
 */
export function didYouMean(
  word: string,
  known: Iterable<string>,
  show: (name: string) => string = (name) => name,
): string | undefined {
  const guess = closestName(word, known);
  return guess === undefined || guess === word ? undefined : `did you mean ${show(guess)}?`;
}

/**
 * The keys of a raw object (an update's argument, say) that are not `known`, each with
 * its guess: `["untill (did you mean until?)"]`. For doors without a schema of their own.
 */
export function unknownKeys(input: unknown, known: readonly string[]): string[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return [];
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .slice(0, MAX_KEYS)
    .map((key) => {
      const guess = didYouMean(key, known);
      // A key that is empty, spaced or odd is quoted, so the line still shows which one.
      const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : quote(key);
      return guess ? `${name} (${guess})` : name;
    });
}
