/**
 * What `fleet versions` reads: the targets of a spec file (`platform` and `organisation`,
 * or `targets`) and `--platform`/`--organisation` pairs, checked before anything is
 * read. Only the spec's targets count here: its target version, clusters and waves do
 * not narrow the view (a whole organisation is shown), so a spec that is still being
 * written, or one for a field this version does not know, can be looked at.
 */
import { descriptorOf, isPlatformName, PLATFORMS, type PlatformName } from '../domain/platform.js';
import { gotInstead } from '../domain/spec-messages.js';
import { UsageError } from './errors.js';
import { readSpecFile } from './spec-input.js';

/** One organisation on one platform, the organisation as its descriptor normalises it. */
export interface VersionTarget {
  readonly platform: PlatformName;
  readonly organisation: string;
}

export interface VersionsFlags {
  readonly file?: string;
  readonly platform?: readonly string[];
  readonly organisation?: readonly string[];
}

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

/** The targets the flags and the file name, each once, in the order given (the file's first). */
export async function versionTargets(flags: VersionsFlags): Promise<VersionTarget[]> {
  const platforms = flags.platform ?? [];
  const organisations = flags.organisation ?? [];
  if (!flags.file && platforms.length === 0 && organisations.length === 0)
    throw new UsageError(
      'name the organisations to read: -f <spec file>, or --platform <name> --organisation <id> (several allowed)',
    );
  if (platforms.length !== organisations.length)
    throw new UsageError(
      `--platform and --organisation go in pairs, in order: got ${platforms.length} --platform and ${organisations.length} --organisation`,
    );
  const fromFile = flags.file ? await fileTargets(flags.file) : [];
  const problems: string[] = [];
  const fromFlags = platforms.flatMap((platform, i) => {
    const organisation = organisations[i]!;
    const checked = checkTarget(platform, organisation);
    problems.push(
      ...checked.problems.map((p) =>
        p.field === 'platform'
          ? `--platform: ${p.message}`
          : `--organisation: ${p.message} (with --platform ${platform})`,
      ),
    );
    return checked.target ? [checked.target] : [];
  });
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return unique([...fromFile, ...fromFlags]);
}

async function fileTargets(path: string): Promise<VersionTarget[]> {
  const spec = await readSpecFile(path);
  const written = writtenTargets(spec);
  if (typeof written === 'string') throw new UsageError(`--file ${path}: ${written}`);
  const problems: string[] = [];
  const targets = written.flatMap(({ prefix, platform, organisation }) => {
    const checked = checkTarget(platform, organisation);
    problems.push(...checked.problems.map((p) => `  ${prefix}${p.field}: ${p.message}`));
    return checked.target ? [checked.target] : [];
  });
  if (problems.length > 0) throw new UsageError(`--file ${path}: cannot read its targets:\n${problems.join('\n')}`);
  return targets;
}

interface Written {
  /** `targets[1].`, or nothing for the spec's own `platform` and `organisation`. */
  readonly prefix: string;
  readonly platform: unknown;
  readonly organisation: unknown;
}

/** Where the spec names its organisations, or why it names none. */
function writtenTargets(spec: Record<string, unknown>): Written[] | string {
  if (spec.targets === undefined) return [{ prefix: '', platform: spec.platform, organisation: spec.organisation }];
  if (spec.platform !== undefined || spec.organisation !== undefined)
    return 'set targets, or platform and organisation, not both';
  if (!Array.isArray(spec.targets) || spec.targets.length === 0)
    return 'targets: must be a list of {platform, organisation}';
  return spec.targets.map((raw: unknown, i) => {
    const target = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    return { prefix: `targets[${i}].`, platform: target.platform, organisation: target.organisation };
  });
}

interface Checked {
  readonly target?: VersionTarget;
  readonly problems: readonly { readonly field: 'platform' | 'organisation'; readonly message: string }[];
}

/** A platform the registry knows and an organisation in its form. */
function checkTarget(platform: unknown, organisation: unknown): Checked {
  if (!isPlatformName(platform)) {
    const message =
      platform === undefined
        ? `missing (required): must be one of ${PLATFORMS.join(', ')}`
        : `must be one of ${PLATFORMS.join(', ')}, ${gotInstead(platform, PLATFORMS)}`;
    return { problems: [{ field: 'platform', message }] };
  }
  const descriptor = descriptorOf(platform);
  if (typeof organisation !== 'string' || organisation.trim() === '')
    return {
      problems: [{ field: 'organisation', message: `missing (required): an ${descriptor.organisation.description}` }],
    };
  const problem = descriptor.organisation.problem(organisation.trim());
  if (problem) return { problems: [{ field: 'organisation', message: problem }] };
  return { target: { platform, organisation: descriptor.organisation.normalise(organisation.trim()) }, problems: [] };
}

function unique(targets: readonly VersionTarget[]): VersionTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.platform}/${t.organisation}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
