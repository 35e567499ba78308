/**
 * Builds a rollout spec from a YAML/JSON file and command-line flags (flags win), and
 * validates it with the same parser the workflow uses, so bad input is reported here,
 * field by field, before anything starts.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { validateRolloutSpec, type RolloutPlan, type RolloutSpec } from '../domain/spec.js';
import { UsageError } from './errors.js';

export interface SpecFlags {
  file?: string;
  platform?: string;
  organisation?: string;
  target?: string;
  clusters?: string;
  maxParallel?: string;
  pollInterval?: string;
  clusterDeadline?: string;
  retries?: string;
  reschedules?: string;
  ignoreMaintenanceSchedule?: boolean;
  scheduleRequestDate?: string;
  dryRun?: boolean;
  patchOnly?: boolean;
}

const integer = (flag: string, value: string): number => {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag}: not a whole number: ${JSON.stringify(value)}`);
  return Number(value);
};

export async function readSpecFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    // JSON is YAML too, but the JSON parser reads a 4 MB spec (100,000 cluster ids) in
    // milliseconds, the YAML one in a second.
    parsed = parseJson(text) ?? parseYaml(text);
  } catch (error) {
    throw new UsageError(`--file ${path}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError(`--file ${path}: must hold a mapping of spec fields`);
  return parsed as Record<string, unknown>;
}

/** The document when it is JSON, else undefined (and YAML reads it). */
function parseJson(text: string): unknown {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Temporal refuses a workflow input over its blob size limit (2 MiB unless the server
 * is configured otherwise) with "Blob data size exceeds limit". A spec can be that big
 * only through `clusters` (about 50,000 ids), so say so here, before connecting.
 */
const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

function checkPayloadSize(spec: Record<string, unknown>): void {
  const bytes = Buffer.byteLength(JSON.stringify(spec));
  if (bytes <= TEMPORAL_PAYLOAD_LIMIT_BYTES) return;
  const clusters = Array.isArray(spec.clusters) ? ` (${spec.clusters.length} clusters)` : '';
  throw new UsageError(
    `the spec is ${(bytes / 1024 / 1024).toFixed(1)} MiB as JSON${clusters}, over the 2 MiB Temporal takes as a workflow input: split the rollout, or omit clusters to upgrade the whole organisation`,
  );
}

export async function specFromInput(flags: SpecFlags): Promise<{ spec: RolloutSpec; plan: RolloutPlan }> {
  const spec: Record<string, unknown> = flags.file ? await readSpecFile(flags.file) : {};
  if (flags.platform !== undefined) spec.platform = flags.platform;
  if (flags.organisation !== undefined) spec.organisation = flags.organisation;
  if (flags.target !== undefined) spec.targetVersion = flags.target;
  if (flags.clusters !== undefined)
    spec.clusters = flags.clusters
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  if (flags.maxParallel !== undefined) spec.maxParallel = integer('max-parallel', flags.maxParallel);
  if (flags.pollInterval !== undefined) spec.pollInterval = flags.pollInterval;
  if (flags.clusterDeadline !== undefined) spec.clusterDeadline = flags.clusterDeadline;
  if (flags.retries !== undefined) spec.retry = { maxAttempts: integer('retries', flags.retries) };
  if (flags.reschedules !== undefined) spec.reschedule = { maxAttempts: integer('reschedules', flags.reschedules) };
  if (flags.ignoreMaintenanceSchedule) spec.ignoreMaintenanceSchedule = true;
  if (flags.scheduleRequestDate !== undefined) spec.scheduleRequestDate = flags.scheduleRequestDate;
  if (flags.dryRun) spec.dryRun = true;
  if (flags.patchOnly) spec.patchOnly = true;

  const result = validateRolloutSpec(spec);
  if (!result.ok) {
    throw new UsageError(
      `invalid rollout spec:\n${result.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`,
    );
  }
  checkPayloadSize(spec);
  return { spec: spec as RolloutSpec, plan: result.plan };
}
