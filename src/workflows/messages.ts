/**
 * Queries and updates on a running rollout (**contract**: the CLI and any Temporal
 * client use these names). Named constants, after temporalio/samples-typescript.
 */
import { defineQuery } from '@temporalio/workflow';
import type { RolloutProgress } from '../domain/report.js';

/** Where the rollout stands: phase, counts per outcome, clusters running now. */
export const progressQuery = defineQuery<RolloutProgress>('progress');
