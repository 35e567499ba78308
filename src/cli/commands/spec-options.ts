/** The spec flags `rollout start`, `rollout plan` and `schedule create` share (see spec-input.ts). */
import type { Command } from 'commander';
import { PLATFORM_DESCRIPTORS, PLATFORMS } from '../../domain/platform.js';

export const specOptions = (cmd: Command): Command =>
  cmd
    .option('-f, --file <path>', 'spec as YAML or JSON (flags override its fields)')
    .option('--platform <name>', PLATFORMS.join(' or '))
    .option('--organisation <id>', PLATFORM_DESCRIPTORS.map((d) => d.organisation.description).join(' or '))
    .option(
      '--target <version>',
      'target Kubernetes version: 1.31 (latest patch), 1.31.4, latest-patch (each cluster, its own minor), stable or rapid',
    )
    .option('--clusters <ids>', 'comma-separated cluster ids (default: every cluster of the organisation)')
    .option('--max-parallel <n>', 'clusters upgrading at once (default 10)')
    .option('--poll-interval <duration>', 'how often to poll a running upgrade (default 30s)')
    .option(
      '--cluster-deadline <duration>',
      'how long one upgrade attempt may take, window wait included (default 14d)',
    )
    .option('--patch-only', "patch upgrades only: clusters on other minors than the target's are left out")
    .option('--retries <n>', 'retries of a FAILED upgrade (default 2)')
    .option('--reschedules <n>', 'reschedules of a MISSED upgrade (default 2)')
    .option('--ignore-maintenance-schedule', 'Avisi: start at the request date instead of the next window')
    .option('--schedule-request-date <date-time>', 'Avisi: the date to pick the next window from (RFC 3339)');
