/**
 * Records the histories of the rollouts a test file ran, for the replay tests
 * (test/unit/replay.test.ts): `FLEET_RECORD_HISTORIES=1 npx vitest run --project
 * integration` writes one file per rollout under test/fixtures/histories, named by the
 * test file and the rollout's place in it, so a new recording replaces the old one.
 * Each file holds the parent's history and those of up to MAX_CHILDREN children, as
 * protobufjs plain objects (enums as names, 64-bit numbers and bytes as strings).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = join(import.meta.dirname, '..', 'fixtures', 'histories');
const MAX_CHILDREN = 4;

export interface RecordedWorkflow {
  readonly workflowId: string;
  readonly history: unknown;
}

const HistoryProto = temporal.api.history.v1.History;
const TO_OBJECT = { enums: String, longs: String, bytes: String, defaults: false } as const;

/** A history as plain JSON, and back: what the fixture files hold. */
export const historyToPlain = (history: temporal.api.history.v1.IHistory): unknown =>
  HistoryProto.toObject(HistoryProto.fromObject(history), TO_OBJECT);
export const historyFromPlain = (plain: unknown): temporal.api.history.v1.History =>
  HistoryProto.fromObject(plain as Record<string, unknown>);

export const recordingHistories = (): boolean => process.env.FLEET_RECORD_HISTORIES === '1';

export async function recordHistories(client: Client, scenario: string, rolloutIds: readonly string[]): Promise<void> {
  await mkdir(HISTORIES_DIR, { recursive: true });
  for (const [index, rolloutId] of rolloutIds.entries()) {
    const parent = await client.workflow.getHandle(rolloutId).fetchHistory();
    const children = (parent.events ?? [])
      .flatMap((event) => {
        const started = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
        return started?.workflowId && started.runId ? [{ workflowId: started.workflowId, runId: started.runId }] : [];
      })
      .slice(0, MAX_CHILDREN);
    const workflows: RecordedWorkflow[] = [{ workflowId: rolloutId, history: historyToPlain(parent) }];
    for (const child of children) {
      const history = await client.workflow.getHandle(child.workflowId, child.runId).fetchHistory();
      workflows.push({ workflowId: child.workflowId, history: historyToPlain(history) });
    }
    await writeFile(
      join(HISTORIES_DIR, `${scenario}-${String(index + 1).padStart(2, '0')}.json`),
      `${JSON.stringify({ scenario, workflows })}\n`,
    );
  }
}
