/**
 * Freeze periods (src/domain/freeze.ts): fixed ones, weekly ones in a time zone across a
 * daylight-saving change, freezes that touch followed to their last end.
 */
import { describe, expect, it } from 'vitest';
import {
  freezeAt,
  freezeWindows,
  isTimeZone,
  mergedFreezeWindows,
  type FreezePeriod,
} from '../../src/domain/freeze.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('freeze periods', () => {
  const yearEnd: FreezePeriod = { from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'year end' };
  const fridayEvenings: FreezePeriod = {
    weekly: { days: ['fri'], from: '18:00', to: '24:00', timeZone: 'Europe/Amsterdam' },
    reason: 'weekend',
  };
  const weekend: FreezePeriod = {
    weekly: { days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Amsterdam' },
    reason: 'weekend',
  };
  const nights: FreezePeriod = {
    weekly: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '22:00', to: '06:00', timeZone: 'America/New_York' },
    reason: 'nights',
  };

  it('a fixed period: in force from its start to its end, not after', () => {
    expect(freezeAt([yearEnd], at('2026-12-19T23:59:59Z'))).toBeUndefined();
    expect(freezeAt([yearEnd], at('2026-12-20T00:00:00Z'))).toEqual({
      reason: 'year end',
      until: at('2027-01-04T00:00:00Z'),
    });
    expect(freezeAt([yearEnd], at('2027-01-04T00:00:00Z'))).toBeUndefined();
  });

  it('weekly periods in a time zone; touching ones make one freeze, to the last end', () => {
    // Friday 27 Nov 2026, 19:00 in Amsterdam (UTC+1): frozen until Monday 00:00 local.
    const freeze = freezeAt([fridayEvenings, weekend], at('2026-11-27T18:00:00Z'));
    expect(freeze && { ...freeze, until: iso(freeze.until) }).toEqual({
      reason: 'weekend',
      until: '2026-11-29T23:00:00.000Z',
    });
    expect(freezeAt([fridayEvenings, weekend], at('2026-11-27T16:59:00Z'))).toBeUndefined();
    expect(freezeAt([fridayEvenings, weekend], at('2026-11-30T09:00:00Z'))).toBeUndefined();
  });

  it('crosses midnight when `to` is at or before `from`, and follows daylight saving', () => {
    // Friday 6 March 2026 22:30 New York (EST, UTC-5): until Saturday 06:00 EST.
    expect(freezeAt([nights], at('2026-03-07T03:30:00Z'))?.until).toBe(at('2026-03-07T11:00:00Z'));
    // A week later New York is on EDT (UTC-4): the same local hours, an hour earlier in UTC.
    expect(freezeAt([nights], at('2026-03-14T02:30:00Z'))?.until).toBe(at('2026-03-14T10:00:00Z'));
    expect(freezeAt([nights], at('2026-03-14T10:30:00Z'))).toBeUndefined();
  });

  it('lists the occurrences that fall in a span, earliest first', () => {
    const windows = freezeWindows([weekend, yearEnd], at('2026-12-14T00:00:00Z'), 14);
    expect(windows.map((w) => [iso(w.start), iso(w.end), w.reason])).toEqual([
      ['2026-12-18T23:00:00.000Z', '2026-12-19T23:00:00.000Z', 'weekend'],
      ['2026-12-19T23:00:00.000Z', '2026-12-20T23:00:00.000Z', 'weekend'],
      ['2026-12-20T00:00:00.000Z', '2027-01-04T00:00:00.000Z', 'year end'],
      ['2026-12-25T23:00:00.000Z', '2026-12-26T23:00:00.000Z', 'weekend'],
      ['2026-12-26T23:00:00.000Z', '2026-12-27T23:00:00.000Z', 'weekend'],
    ]);
  });

  it('takes lifted spans out of every period, splitting an occurrence a lift falls inside', () => {
    const lifted = [{ from: '2026-12-22T00:00:00Z', to: '2026-12-23T00:00:00Z', periods: 1 }];
    expect(freezeAt([yearEnd], at('2026-12-21T12:00:00Z'), lifted)).toEqual({
      reason: 'year end',
      until: at('2026-12-22T00:00:00Z'),
    });
    expect(freezeAt([yearEnd], at('2026-12-22T12:00:00Z'), lifted)).toBeUndefined();
    expect(freezeAt([yearEnd], at('2026-12-23T00:00:00Z'), lifted)).toEqual({
      reason: 'year end',
      until: at('2027-01-04T00:00:00Z'),
    });
    const windows = freezeWindows([yearEnd], at('2026-12-14T00:00:00Z'), 30, lifted);
    expect(windows.map((w) => [iso(w.start), iso(w.end)])).toEqual([
      ['2026-12-20T00:00:00.000Z', '2026-12-22T00:00:00.000Z'],
      ['2026-12-23T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
    ]);
  });

  it('a lift applies to the periods there were when it was made, not to one added later', () => {
    const incident: FreezePeriod = { from: '2026-12-22T06:00:00Z', to: '2026-12-22T08:00:00Z', reason: 'INC' };
    const lifted = [{ from: '2026-12-22T00:00:00Z', to: '2026-12-23T00:00:00Z', periods: 1 }];
    expect(freezeAt([yearEnd, incident], at('2026-12-22T07:00:00Z'), lifted)).toEqual({
      reason: 'INC',
      until: at('2026-12-22T08:00:00Z'),
    });
    expect(freezeAt([yearEnd, incident], at('2026-12-22T09:00:00Z'), lifted)).toBeUndefined();
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('freezes that overlap or touch are one, naming each reason once, wherever they are shown', () => {
    const sat: FreezePeriod = {
      weekly: { days: ['sat'], from: '00:00', to: '24:00', timeZone: 'UTC' },
      reason: 'saturday',
    };
    const sun: FreezePeriod = {
      weekly: { days: ['sun'], from: '00:00', to: '24:00', timeZone: 'UTC' },
      reason: 'sunday',
    };
    // 28 Nov 2026 is a Saturday: a fortnight holds two weekends, each one freeze.
    const merged = mergedFreezeWindows(freezeWindows([sat, sun], at('2026-11-23T00:00:00Z'), 14));
    expect(merged.map((w) => [iso(w.start), iso(w.end), w.reason])).toEqual([
      ['2026-11-28T00:00:00.000Z', '2026-11-30T00:00:00.000Z', 'saturday; sunday'],
      ['2026-12-05T00:00:00.000Z', '2026-12-07T00:00:00.000Z', 'saturday; sunday'],
    ]);
    // The freeze in force says the same; once Saturday is over, what is left of it.
    expect(freezeAt([sat, sun], at('2026-11-28T12:00:00Z'))).toEqual({
      reason: 'saturday; sunday',
      until: at('2026-11-30T00:00:00Z'),
    });
    expect(freezeAt([sat, sun], at('2026-11-29T12:00:00Z'))).toEqual({
      reason: 'sunday',
      until: at('2026-11-30T00:00:00Z'),
    });
    // The same reason twice is named once; a gap keeps them apart.
    const windows = [
      { start: 0, end: 10, reason: 'a' },
      { start: 5, end: 20, reason: 'a' },
      { start: 21, end: 30, reason: 'b' },
    ];
    expect(mergedFreezeWindows(windows)).toEqual([
      { start: 0, end: 20, reason: 'a' },
      { start: 21, end: 30, reason: 'b' },
    ]);
  });
});
