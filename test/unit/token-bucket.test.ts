import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/domain/token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 60000/rate ms', () => {
    const bucket = new TokenBucket(60, 3, undefined, 0);
    expect([0, 0, 0].map((t) => bucket.take(t).allowed)).toEqual([true, true, true]);
    expect(bucket.take(0)).toEqual({ allowed: false, waitMs: 1000 });
    expect(bucket.take(999).allowed).toBe(false);
    expect(bucket.take(1000).allowed).toBe(true);
    expect(bucket.take(1500)).toEqual({ allowed: false, waitMs: 500 });
  });

  it('never saves more than the burst', () => {
    const bucket = new TokenBucket(60, 2, undefined, 0);
    const allowed = [1e6, 1e6, 1e6].map((t) => bucket.take(t).allowed);
    expect(allowed).toEqual([true, true, false]);
  });

  it('survives a round trip through its state (continue-as-new)', () => {
    const bucket = new TokenBucket(120, 5, undefined, 0);
    for (let i = 0; i < 5; i++) bucket.take(0);
    const restored = new TokenBucket(120, 5, JSON.parse(JSON.stringify(bucket.state())));
    expect(restored.take(0).allowed).toBe(false);
    expect(restored.take(500).allowed).toBe(true);
  });

  it('refills nothing when the clock goes backwards', () => {
    const bucket = new TokenBucket(60, 1, undefined, 10_000);
    expect(bucket.take(10_000).allowed).toBe(true);
    expect(bucket.take(5_000).allowed).toBe(false);
    expect(bucket.take(11_000).allowed).toBe(true);
  });

  it('reserves tokens ahead, each further out, and refuses a wait past the limit', () => {
    const bucket = new TokenBucket(60, 2, undefined, 0);
    expect([0, 0, 0, 0].map((t) => bucket.reserve(t).waitMs)).toEqual([0, 0, 1000, 2000]);
    expect(bucket.reserve(0, 2500)).toEqual({ reserved: false, waitMs: 3000 });
    // Refused reservations take nothing: the next one is still 3 s out.
    expect(bucket.reserve(0)).toEqual({ reserved: true, waitMs: 3000 });
    // Time pays the debt back.
    expect(bucket.reserve(10_000)).toEqual({ reserved: true, waitMs: 0 });
  });

  it('rejects a rate or burst that cannot work', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/ratePerMinute/);
    expect(() => new TokenBucket(10, 0)).toThrow(/burst/);
  });
});
