/**
 * The shared "did you mean" (src/domain/suggest.ts): which near misses get a guess, and
 * that names that have nothing to do with each other get none.
 */
import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance, unknownKeys } from '../../src/domain/suggest.js';

const WAVE_FIELDS = [
  'name',
  'size',
  'clusters',
  'match',
  'maxParallel',
  'soak',
  'approval',
  'failureBudget',
  'healthChecks',
  'gate',
];

describe('editDistance', () => {
  it('counts inserts, deletes, replacements and a swap of neighbours as one edit each', () => {
    expect(editDistance('match', 'match')).toBe(0);
    expect(editDistance('matches', 'match')).toBe(2);
    expect(editDistance('regoin', 'region')).toBe(1);
    expect(editDistance('opz', 'ops')).toBe(1);
    expect(editDistance('', 'soak')).toBe(4);
  });

  it('gives up past its limit', () => {
    expect(editDistance('colour', 'clusterDeadline', 2)).toBe(3);
    expect(editDistance('a'.repeat(50), 'b'.repeat(50), 3)).toBe(4);
  });
});

describe('closestName', () => {
  it.each([
    ['matches', WAVE_FIELDS, 'match'],
    ['sise', WAVE_FIELDS, 'size'],
    ['max_parallel', WAVE_FIELDS, 'maxParallel'],
    ['MaxParallel', WAVE_FIELDS, 'maxParallel'],
    ['healthcheck', WAVE_FIELDS, 'healthChecks'],
    ['gates', WAVE_FIELDS, 'gate'],
    ['regoin', ['environment', 'region', 'name'], 'region'],
    ['form', ['from', 'to', 'weekly', 'reason'], 'from'],
    ['opz', ['ops', 'pager'], 'ops'],
    ['stagin', ['development', 'staging', 'production'], 'staging'],
    ['prod', ['development', 'staging', 'production'], 'production'],
    ['env', ['platform', 'environment', 'region'], 'environment'],
    [
      'FLEET_WORKER_MAX_CACHED_WORKFLOW',
      ['FLEET_WORKER_MAX_CACHED_WORKFLOWS', 'FLEET_WORKER_STICKY_TIMEOUT'],
      'FLEET_WORKER_MAX_CACHED_WORKFLOWS',
    ],
  ])('%s -> %s', (word, known, guess) => {
    expect(closestName(word, known)).toBe(guess);
  });

  it.each([
    ['colour', WAVE_FIELDS],
    ['', WAVE_FIELDS],
    ['x', ['to', 'do']],
    ['b', ['a']],
    ['gke', ['avisi', 'aether']],
    ['rollback', ['halt', 'pause']],
    // A prefix of several names says nothing about which one was meant.
    ['max', ['maxParallel', 'maxHops', 'maxFailed']],
    ['stagin', []],
    ['s'.repeat(1_000), ['s'.repeat(999)]],
  ])('%s: no guess', (word, known) => {
    expect(closestName(word, known)).toBeUndefined();
  });

  it('prefers the nearest, then the first listed', () => {
    expect(closestName('cluster', ['clusterDeadline', 'clusters'])).toBe('clusters');
    expect(closestName('fun', ['sun', 'mon', 'tue'])).toBe('sun');
    expect(closestName('ab', ['abc', 'abd'])).toBe('abc');
  });
});

describe('didYouMean', () => {
  it('words a guess, quoted when asked, and stays silent for a known name or none', () => {
    expect(didYouMean('matches', WAVE_FIELDS)).toBe('did you mean match?');
    expect(didYouMean('stagin', ['staging'], (name) => JSON.stringify(name))).toBe('did you mean "staging"?');
    expect(didYouMean('match', WAVE_FIELDS)).toBeUndefined();
    expect(didYouMean('colour', WAVE_FIELDS)).toBeUndefined();
  });
});

describe('unknownKeys', () => {
  it('names the keys a raw object should not have, each with its guess', () => {
    expect(
      unknownKeys({ untill: '2027-01-01T00:00:00Z', reason: 'x', colour: 1, '': 2 }, ['until', 'from', 'reason', 'by']),
    ).toEqual(['untill (did you mean until?)', 'colour', '""']);
    expect(unknownKeys({ reason: 'x' }, ['reason'])).toEqual([]);
    expect(unknownKeys('reason', ['reason'])).toEqual([]);
    expect(unknownKeys(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])), [])).toHaveLength(10);
  });
});
