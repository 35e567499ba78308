/**
 * Updates racing the children's reports: operators steer while clusters finish and
 * runs continue as new, so workflow tasks carry updates and `clusterDone` signals
 * together, some of them a continued run's first tasks. Pause and resume go back to
 * back through a fast rollout on a worker without a cache (every task replays the
 * history before it), then every run's history is replayed through today's workflow
 * code: no nondeterminism error, live or on replay, with the race shown to have
 * happened (tasks that took signals and an update together). rollout/inbox.ts says
 * what once broke here.
 */
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { pauseUpdate, resumeUpdate } from '../../src/workflows/messages.js';
import { startHarness, type Harness } from './harness.js';

type History = temporal.api.history.v1.IHistory;
const NON_DETERMINISTIC =
  temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

/** Workflow tasks that accepted an update and were handed signals too (those that arrived since the task before started). */
function tasksWithSignalsAndUpdates(history: History): number {
  let arriving = 0;
  let handed = 0;
  let both = 0;
  for (const event of history.events ?? []) {
    if (event.workflowExecutionSignaledEventAttributes) arriving++;
    else if (event.workflowTaskStartedEventAttributes) [handed, arriving] = [arriving, 0];
    else if (event.workflowExecutionUpdateAcceptedEventAttributes && handed > 0) {
      both++;
      handed = 0;
    }
  }
  return both;
}

describe('updates racing children reports', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 94, avisi: { clusters: 1 }, aether: { clusters: 80 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'message-order',
      {
        // No workflow cache: every task replays the history before it, so a task that took its messages in another order than its replay would fails as it runs.
        tuning: { maxCachedWorkflows: 0 },
      },
    );
  });
  afterAll(() => h?.close());

  it('writes histories that replay, whichever order a task hands them over', async () => {
    const handle = await h.startRollout({
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      maxParallel: 20,
      pollInterval: '100ms',
      waves: [{ name: 'all' }],
      historyEventsPerRun: 200,
    });
    const result = handle.result();
    let ended = false;
    void result.finally(() => (ended = true)).catch(() => undefined);
    let steers = 0;
    let paused = false;
    while (!ended) {
      try {
        if (paused) await handle.executeUpdate(resumeUpdate, { args: [{ by: 'race' }] });
        else await handle.executeUpdate(pauseUpdate, { args: [{ by: 'race', reason: `tick ${steers}` }] });
        paused = !paused;
        steers++;
      } catch (error) {
        // Routine races, sent again: an update the server had not handed over when a run
        // continued as new is aborted; one whose workflow task the server refused (UnhandledCommand:
        // reports arrived while it ran) fails; one sent as the rollout completes finds it closed.
        const routine = /aborted by closing workflow|unexpected workflow task failure|already completed/;
        if (!ended && !routine.test(`${String(error)} ${String((error as Error).cause)}`)) throw error;
      }
    }
    const report = await result;
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: 80 });
    expect(steers).toBeGreaterThan(5);

    // Every run, following continue-as-new from the first.
    const histories: { workflowId: string; history: History }[] = [];
    let runId: string | undefined = handle.firstExecutionRunId;
    while (runId) {
      const history = await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      histories.push({ workflowId: handle.workflowId, history });
      runId = history.events!.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const raced = histories.reduce((n, { history }) => n + tasksWithSignalsAndUpdates(history), 0);
    expect(raced, 'workflow tasks that took reports and an update together').toBeGreaterThan(0);

    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
    const failures: string[] = [];
    for await (const replay of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      if (replay.error) failures.push(replay.error.message);
    }
    expect(failures).toEqual([]);
    // And no live workflow task failed on one either (an UnhandledCommand, a report arriving as a run continues as new, is routine).
    const nondeterministic = histories.flatMap(({ history }) =>
      (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes?.cause === NON_DETERMINISTIC),
    );
    expect(nondeterministic).toEqual([]);
  }, 240_000);
});
