/**
 * The fleet a simulator serves: organisations and their clusters per platform. Written
 * by hand in a JSON or YAML file (`loadFleetFile`) or produced by `generateFleet`.
 * Missing ids, slugs and tokens are filled in deterministically when the simulator
 * starts (see world.ts), so the same file always yields the same ids.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isSlug, isUuid } from '../domain/ids.js';
import { parseVersion } from '../domain/versions.js';
import { maintenanceWindowSchema } from '../domain/windows.js';
import { AETHER_OUTCOMES, AVISI_OUTCOMES } from './outcomes.js';

const uuid = z.string().refine(isUuid, 'must be a UUID');
const slug = z.string().refine(isSlug, 'must be a slug (lower-case letters, digits and dashes)');
const version = z.string().refine((text) => parseVersion(text) !== undefined, {
  error: (issue) =>
    `not a Kubernetes version: ${JSON.stringify(issue.input)} (use e.g. "1.30.4", "1.30" or "v1.30.4-u-ame.3")`,
});

/**
 * An API the cluster's workloads still call that a later minor removes: served as
 * `apiserver_requested_deprecated_apis` on `/_sim/metrics` (deprecated-apis.ts), for
 * pre-upgrade checks to find. `group` is empty for the core group.
 */
export const deprecatedApi = z
  .object({
    group: z.string(),
    version: z.string().min(1),
    resource: z.string().min(1),
    removedRelease: z.string().regex(/^\d+\.\d+$/, 'must be a minor such as "1.32"'),
  })
  .strict();
export type DeprecatedApi = z.infer<typeof deprecatedApi>;

const avisiCluster = z
  .object({
    identity: uuid.optional(),
    name: z.string().min(1),
    slug: slug.optional(),
    environment: slug.optional(),
    /** The cloud provider's region slug (`eu-west-1`); served as `region`, null when absent. */
    region: z.string().min(1).optional(),
    /** `aws`, `azure`, `hetzner`, ...; served as `cloudProvider`, null when absent. */
    cloudProvider: slug.optional(),
    version,
    maintenanceWindows: z
      .array(maintenanceWindowSchema.strict())
      .min(1, 'needs at least one window (omit it for a generated schedule)')
      .optional(),
    outcomes: z.array(z.enum(AVISI_OUTCOMES, { message: `must be one of ${AVISI_OUTCOMES.join(', ')}` })).optional(),
    /** Served as `autoUpgrade`: the platform upgrades the cluster along its channel itself. Default false. */
    autoUpgrade: z.boolean().optional(),
    deprecatedApis: z.array(deprecatedApi).optional(),
  })
  .strict();

const aetherCluster = z
  .object({
    id: uuid.optional(),
    name: z.string().min(1),
    region: z.string().min(1).optional(),
    version,
    outcomes: z.array(z.enum(AETHER_OUTCOMES, { message: `must be one of ${AETHER_OUTCOMES.join(', ')}` })).optional(),
    deprecatedApis: z.array(deprecatedApi).optional(),
  })
  .strict();

export const fleetDefinitionSchema = z
  .object({
    avisi: z
      .array(
        z
          .object({
            organisation: slug,
            /**
             * A personal access token valid only for this organisation (a user who is a
             * member of it alone): requests with it on another organisation get 403.
             * The global `tokens.avisi` list stays valid everywhere.
             */
            token: z.string().min(1).optional(),
            clusters: z.array(avisiCluster),
          })
          .strict(),
      )
      .optional(),
    aether: z
      .array(
        z
          .object({
            organisation: uuid,
            token: z
              .string()
              .regex(/^aether_[0-9a-f]{16,128}$/, 'must look like aether_<hex>')
              .optional(),
            clusters: z.array(aetherCluster),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type FleetDefinition = z.infer<typeof fleetDefinitionSchema>;
export type AvisiOrganisationDefinition = NonNullable<FleetDefinition['avisi']>[number];
export type AvisiClusterDefinition = AvisiOrganisationDefinition['clusters'][number];
export type AetherOrganisationDefinition = NonNullable<FleetDefinition['aether']>[number];
export type AetherClusterDefinition = AetherOrganisationDefinition['clusters'][number];

/** Validates a fleet definition, naming every problem by its path. */
export function parseFleetDefinition(input: unknown, source = 'fleet'): FleetDefinition {
  const result = fleetDefinitionSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new Error(`invalid fleet definition in ${source}:\n${problems.join('\n')}`);
}

/** Reads a fleet from a `.json`, `.yaml` or `.yml` file. */
export async function loadFleetFile(path: string): Promise<FleetDefinition> {
  const text = await readFile(path, 'utf8');
  const extension = extname(path).toLowerCase();
  let data: unknown;
  try {
    if (extension === '.json') data = JSON.parse(text);
    else if (extension === '.yaml' || extension === '.yml') data = parseYaml(text);
    else throw new Error(`unsupported extension ${JSON.stringify(extension)} (use .json, .yaml or .yml)`);
  } catch (error) {
    throw new Error(`cannot read fleet file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseFleetDefinition(data, path);
}
