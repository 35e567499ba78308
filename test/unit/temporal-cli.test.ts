import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemporalCli, TemporalCliNotFoundError, TEMPORAL_CLI_VERSION } from '../../src/devserver/temporal-cli.js';
import { searchAttributeFlags } from '../../src/devserver/dev-server.js';

async function fakeBinaryDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-cli-'));
  await writeFile(join(dir, 'temporal'), '#!/bin/sh\necho fake\n');
  await chmod(join(dir, 'temporal'), 0o755);
  return dir;
}

describe('findTemporalCli', () => {
  it('uses TEMPORAL_CLI_PATH first', async () => {
    const dir = await fakeBinaryDir();
    const path = join(dir, 'temporal');
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: path, PATH: '' } })).resolves.toEqual({
      kind: 'binary',
      path,
      source: 'env',
    });
  });

  it('fails clearly when TEMPORAL_CLI_PATH points at nothing, rather than guessing', async () => {
    const error = await findTemporalCli({ env: { TEMPORAL_CLI_PATH: '/nonexistent/temporal', PATH: '' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    expect((error as Error).message).toMatch(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal: not an executable file/);
  });

  it('finds `temporal` on PATH next', async () => {
    const dir = await fakeBinaryDir();
    await expect(findTemporalCli({ env: { PATH: `/nonexistent:${dir}` } })).resolves.toEqual({
      kind: 'binary',
      path: join(dir, 'temporal'),
      source: 'path',
    });
  });

  it('falls back to the SDK download only when allowed', async () => {
    const found = await findTemporalCli({ env: { PATH: '' }, allowSdkDownload: true });
    // A project-local install (CI makes one) wins over the download.
    if (found.kind === 'binary') expect(found.source).toBe('project');
    else expect(found).toEqual({ kind: 'sdk-download', version: TEMPORAL_CLI_VERSION });
  });
});

describe('searchAttributeFlags', () => {
  it('registers every Fleet search attribute with its type', () => {
    const flags = searchAttributeFlags();
    expect(flags.filter((f) => f !== '--search-attribute')).toEqual(
      expect.arrayContaining([
        'FleetRolloutId=Keyword',
        'FleetPhase=Keyword',
        'FleetClusterId=Keyword',
        'FleetTargetVersion=Keyword',
        'FleetPlatform=Keyword',
      ]),
    );
  });
});
