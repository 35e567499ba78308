/**
 * Determinism: every recorded scenario's histories (test/fixtures/histories, written
 * by `FLEET_RECORD_HISTORIES=1` integration runs) replay through today's workflow
 * code without a nondeterminism error. A change to workflow code that alters the
 * commands it issues fails here until it is guarded with `patched()`. No server needed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { installSdkLogging } from '../../src/sdk-logging.js';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { HISTORIES_DIR, historyFromPlain, type RecordedWorkflow } from '../integration/record-histories.js';

installSdkLogging(createLogger({ level: 'error' }), 'ERROR');

const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

describe('replaying committed histories', () => {
  it('has recorded scenarios to replay', () => {
    // Steering, abort with compensation, failures, hops and plain rollouts on both platforms.
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('replays every workflow of every scenario deterministically', async () => {
    const workflows: (RecordedWorkflow & { file: string })[] = [];
    for (const file of files) {
      const { workflows: recorded } = JSON.parse(await readFile(join(HISTORIES_DIR, file), 'utf8')) as {
        workflows: RecordedWorkflow[];
      };
      workflows.push(...recorded.map((w) => ({ ...w, file })));
    }
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
    const histories = workflows.map((w) => ({ workflowId: w.workflowId, history: historyFromPlain(w.history) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(workflows.length);
  }, 120_000);

  it('holds no API token', async () => {
    for (const file of files) {
      const text = await readFile(join(HISTORIES_DIR, file), 'utf8');
      // The simulator's token shapes: Aether `aether_<hex>`, Avisi `sim-avisi-<hex>`.
      expect(text, file).not.toMatch(/aether_[0-9a-f]{16,}|sim-avisi-[0-9a-f]{8,}/);
    }
  });
});
