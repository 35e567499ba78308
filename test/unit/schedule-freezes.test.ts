/**
 * A schedule's next runs against its spec's freezes (src/cli/schedule-freezes.ts): the
 * README's weekend freeze and the operations recipe's times, touching freezes as one.
 */
import { describe, expect, it } from 'vitest';
import type { FreezePeriod } from '../../src/domain/freeze.js';
import { frozenRuns, frozenRunsText } from '../../src/cli/schedule-freezes.js';

const weekend: FreezePeriod = {
  weekly: { days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Amsterdam' },
  reason: 'weekend',
};
// Saturdays and Tuesdays 02:00 in Amsterdam (01:00 UTC in winter), from 5 Dec 2026 (a Saturday).
const saturdays = [5, 12, 19].map((d) => new Date(`2026-12-${String(d).padStart(2, '0')}T01:00:00Z`));
const tuesdays = [8, 15, 22].map((d) => new Date(`2026-12-${String(d).padStart(2, '0')}T01:00:00Z`));

describe("a schedule's runs inside the spec's freezes", () => {
  it('finds each run that starts inside a freeze, with its reason and when it lifts', () => {
    expect(frozenRuns(saturdays, [weekend])).toEqual(
      saturdays.map((t) => ({
        at: t.toISOString(),
        reason: 'weekend',
        until: new Date(t.getTime() + 46 * 3_600_000).toISOString(),
      })),
    );
    expect(frozenRuns(tuesdays, [weekend])).toEqual([]);
    expect(frozenRuns(saturdays, undefined)).toEqual([]);
    // Friday evening and the weekend touch: a Friday 20:00 run waits for the end of both, named as one.
    const fridays: FreezePeriod = {
      weekly: { days: ['fri'], from: '18:00', to: '24:00', timeZone: 'Europe/Amsterdam' },
      reason: 'friday evening',
    };
    expect(frozenRuns([new Date('2026-12-04T19:00:00Z')], [fridays, weekend])).toEqual([
      { at: '2026-12-04T19:00:00.000Z', reason: 'friday evening; weekend', until: '2026-12-06T23:00:00.000Z' },
    ]);
  });

  it('says so in a line, or nothing when no run is frozen', () => {
    expect(frozenRunsText(frozenRuns(saturdays.slice(0, 1), [weekend]), 10)).toBe(
      "1 of the next 10 runs starts inside the spec's freeze and would wait for it: 2026-12-05T01:00:00.000Z (weekend; lifts 2026-12-06T23:00:00.000Z)",
    );
    expect(frozenRunsText([], 10)).toBeUndefined();
  });
});
