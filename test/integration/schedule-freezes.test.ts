/**
 * Schedules and freezes agree (issue 18): `fleet schedule create` refuses a schedule whose
 * next runs start inside the spec's freeze (a Saturday 02:00 run of a spec that freezes
 * the weekend sits frozen until Monday) unless `--allow-frozen`, which creates it with a
 * warning; `describe` says which of the next runs fall in a freeze. Only the Temporal
 * server is needed: nothing runs.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';

const temporalEnv = () => ({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
});
const fleet = (...args: string[]) => fleetWith(temporalEnv(), ...args);

describe('fleet schedule and the spec freezes', () => {
  let specFile: string;
  const ids = ['weekend-refused', 'weekend-allowed', 'weekday'].map((name) => `${name}-${process.pid}-${Date.now()}`);
  beforeAll(async () => {
    // The README's spec freezes the whole weekend.
    specFile = join(await mkdtemp(join(tmpdir(), 'fleet-schedule-')), 'rollout.yaml');
    await writeFile(
      specFile,
      [
        'platform: avisi',
        'organisation: acme',
        'targetVersion: "1.31"',
        'freeze:',
        '  - {weekly: {days: [sat, sun], from: "00:00", to: "24:00", timeZone: Europe/Amsterdam}, reason: weekend}',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const id of ids) await fleet('schedule', 'delete', id);
  });

  it('refuses a schedule that fires inside the freeze, unless --allow-frozen; describe names the frozen runs', async () => {
    const [refused, allowed, weekday] = ids as [string, string, string];
    const saturday = ['--cron', '0 2 * * 6', '--timezone', 'Europe/Amsterdam', '--task-queue', 'schedule-freezes'];
    const no = await fleet('schedule', 'create', refused, '-f', specFile, ...saturday);
    expect(no.code).toBe(EXIT.USAGE);
    expect(no.stderr).toMatch(
      new RegExp(
        `^fleet: schedule ${refused} not created: 10 of the next 10 runs start inside the spec's freeze and would wait for it: \\S+T01:00:00.000Z \\(weekend; lifts \\S+T23:00:00.000Z\\)`,
      ),
    );
    expect(no.stderr).toMatch(/pass --allow-frozen\n$/);
    // Nothing left behind.
    expect((await fleet('schedule', 'describe', refused)).code).toBe(EXIT.ERROR);

    const yes = await fleet('schedule', 'create', allowed, '-f', specFile, ...saturday, '--allow-frozen', '--json');
    expect(yes.code).toBe(EXIT.OK);
    expect(yes.stderr).toMatch(/^fleet: warning: 10 of the next 10 runs start inside the spec's freeze/);
    expect(JSON.parse(yes.stdout)).toMatchObject({
      scheduleId: allowed,
      paused: false,
      frozenRuns: expect.arrayContaining([{ at: expect.any(String), reason: 'weekend', until: expect.any(String) }]),
    });
    const described = await fleet('schedule', 'describe', allowed);
    expect(described.stdout).toMatch(
      /\n {2}freezes: +10 of the next 10 runs start inside the spec's freeze and would wait for it: /,
    );
    expect(JSON.parse((await fleet('schedule', 'describe', allowed, '--json')).stdout).frozenRuns).toHaveLength(10);

    // Tuesday 02:00 (the operations recipe): clear of the weekend.
    const clear = await fleet(
      'schedule',
      'create',
      weekday,
      '-f',
      specFile,
      '--cron',
      '0 2 * * 2',
      '--timezone',
      'Europe/Amsterdam',
      '--task-queue',
      'schedule-freezes',
    );
    expect(clear).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect((await fleet('schedule', 'describe', weekday)).stdout).toMatch(
      /\n {2}freezes: +none of the next 10 runs starts inside the spec's freeze\n/,
    );
    expect(JSON.parse((await fleet('schedule', 'describe', weekday, '--json')).stdout)).toMatchObject({
      state: { paused: false },
      frozenRuns: [],
    });
  });
});
