/** What `fleet versions` reads: targets from a spec file and from --platform/--organisation pairs, checked first. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { versionTargets } from '../../src/cli/versions-input.js';
import { specFiles } from '../support/spec-files.js';

const UUID = '2489E9AD-2EE2-4E00-8EC9-32D5F69181C0';
const specFile = specFiles('fleet-versions-input-');

async function refusal(flags: Parameters<typeof versionTargets>[0]): Promise<string> {
  const error = await versionTargets(flags).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return (error as UsageError).message;
}

describe('versionTargets', () => {
  it('pairs --platform and --organisation in order, organisations normalised, each once', async () => {
    expect(
      await versionTargets({
        platform: ['aether', 'avisi', 'aether'],
        organisation: [UUID, 'acme', UUID.toLowerCase()],
      }),
    ).toEqual([
      { platform: 'aether', organisation: UUID.toLowerCase() },
      { platform: 'avisi', organisation: 'acme' },
    ]);
  });

  it("reads a spec's platform and organisation, or its targets, and nothing else of it", async () => {
    const single = specFile({ platform: 'avisi', organisation: 'acme', targetVersion: 'latest-patch', colour: 1 });
    expect(await versionTargets({ file: single })).toEqual([{ platform: 'avisi', organisation: 'acme' }]);
    const several = specFile({
      targets: [
        { platform: 'avisi', organisation: 'acme', targetVersions: { '1.30': '1.30.9' } },
        { platform: 'aether', organisation: UUID },
      ],
    });
    expect(await versionTargets({ file: several, platform: ['avisi'], organisation: ['other'] })).toEqual([
      { platform: 'avisi', organisation: 'acme' },
      { platform: 'aether', organisation: UUID.toLowerCase() },
      { platform: 'avisi', organisation: 'other' },
    ]);
  });

  it('asks for something to read', async () => {
    expect(await refusal({})).toMatch(/^name the organisations to read: -f <spec file>, or --platform/);
  });

  it('refuses flags out of pairs', async () => {
    expect(await refusal({ platform: ['avisi', 'aether'], organisation: ['acme'] })).toBe(
      '--platform and --organisation go in pairs, in order: got 2 --platform and 1 --organisation',
    );
  });

  it('names an unknown platform and an organisation in the wrong form, every one', async () => {
    const message = await refusal({ platform: ['avisy', 'aether'], organisation: ['acme', 'acme'] });
    expect(message.split('\n')).toEqual([
      '--platform: must be one of avisi, aether, got the string "avisy"; did you mean "avisi"?',
      '--organisation: not an Aether organisation UUID: "acme" (with --platform aether)',
    ]);
  });

  it("names the spec file's bad targets by field", async () => {
    const path = specFile({ targets: [{ platform: 'aether', organisation: 'acme' }, { organisation: 'x' }] });
    expect(await refusal({ file: path })).toBe(
      `--file ${path}: cannot read its targets:\n` +
        '  targets[0].organisation: not an Aether organisation UUID: "acme"\n' +
        '  targets[1].platform: missing (required): must be one of avisi, aether',
    );
    const both = specFile({ platform: 'avisi', organisation: 'acme', targets: [] });
    expect(await refusal({ file: both })).toBe(`--file ${both}: set targets, or platform and organisation, not both`);
    expect(await refusal({ file: specFile({ platform: 'avisi' }) })).toMatch(
      /organisation: missing \(required\): an Avisi organisation slug$/,
    );
    expect(await refusal({ file: join(tmpdir(), `fleet-versions-input-${process.pid}-missing`, 'none.yaml') })).toMatch(
      /none\.yaml: no such file$/,
    );
  });
});
