/**
 * `fleet versions`: the fleet version view. Reads every organisation a spec file or
 * `--platform`/`--organisation` pairs name (read-only, within each platform's API
 * budget: cli/versions-read.ts) and shows per organisation its clusters per minor and
 * patch, how many are behind the latest patch of their minor and behind each channel,
 * the minors the platform no longer offers, the clusters that upgrade themselves and
 * the upgrades scheduled or in progress. Talks to the platforms only, never to Temporal.
 */
import type { Command } from 'commander';
import { PLATFORM_DESCRIPTORS, PLATFORMS } from '../../domain/platform.js';
import { collect, versionTargets, type VersionsFlags } from '../versions-input.js';
import { readVersions } from '../versions-read.js';
import { formatVersions } from '../versions-view.js';

const HELP =
  "\nReads the platforms with the worker's variables (URLs, tokens, and the API rate it keeps to: docs/configuration.md)." +
  '\nA spec file counts for its targets only (platform and organisation, or targets): whole organisations are shown.' +
  '\n\nExit codes: 0 the view; 1 a platform refused or failed a read; 2 bad input (flags, the spec file, a token variable not set).' +
  '\n\nExamples:\n  fleet versions --platform avisi --organisation acme' +
  "\n  fleet versions -f rollout.yaml --json | jq '.targets[] | {organisation, behind}'" +
  '\n  fleet versions --platform avisi --organisation acme --platform aether --organisation 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0';

export function registerVersionsCommand(program: Command): void {
  program
    .command('versions')
    .description(
      "show the fleet's Kubernetes versions per organisation: minors and patches, behind, unsupported, upgrading",
    )
    .option('-f, --file <path>', 'a rollout spec (YAML or JSON): read its platform and organisation, or its targets')
    .option('--platform <name>', `${PLATFORMS.join(' or ')}; repeat it, paired in order with --organisation`, collect)
    .option(
      '--organisation <id>',
      `${PLATFORM_DESCRIPTORS.map((d) => d.organisation.description).join(' or ')}; repeat it with --platform`,
      collect,
    )
    .option('--json', 'print the census as JSON: {"targets": [...]} (docs/operations.md)')
    .addHelpText('after', HELP)
    .action(showVersions);
}

async function showVersions(flags: VersionsFlags & { json?: boolean }): Promise<void> {
  const targets = await versionTargets(flags);
  const censuses = await readVersions(targets);
  console.log(flags.json ? JSON.stringify({ targets: censuses }, null, 2) : formatVersions(censuses));
}
