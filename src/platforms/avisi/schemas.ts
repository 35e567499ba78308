/**
 * Avisi Cloud response bodies (camelCase), as far as fleetwave reads them. See
 * docs/platform-apis.md for the contract; fields not listed here pass through unread.
 */
import { z } from 'zod';
import type { ApiErrorBody } from '../http.js';
import { detailText, kubeVersionString, optionalText } from '../schemas.js';

export const avisiClusterSchema = z.looseObject({
  identity: z.string().min(1),
  name: z.string(),
  slug: z.string().min(1),
  environmentSlug: z.string().min(1),
  organisationSlug: optionalText,
  /**
   * The cloud provider's region slug (`eu-west-1`, `ams2`); docs.avisi.cloud cluster response
   * and the go-client's `Cluster.Region`.
   */
  region: optionalText,
  /** `aws`, `azure`, `hetzner`, `byon`, ... (go-client `CloudProviderType`); read as text, so a new provider passes. */
  cloudProvider: optionalText,
  /** AME build, e.g. `v1.30.4-u-ame.3`. */
  version: kubeVersionString,
  /** `running`, `stopped`, legacy `started`; unknown values are tolerated. */
  status: z.string(),
  /** Read for dry-run predictions; a window that does not parse is dropped, not fatal. */
  maintenanceSchedule: z.looseObject({ windows: z.array(z.unknown()).nullish() }).nullish(),
  /**
   * Whether the platform upgrades the cluster itself along its channel (go-client `Cluster.AutoUpgrade`).
   * Read loosely, as `updateChannel`: a value in another shape is reported and left out (mapping.ts),
   * never a reason to refuse the cluster.
   */
  autoUpgrade: z.unknown().optional(),
  /** `{name, available, kubernetesClusterVersion}` (go-client `Cluster.UpdateChannel`); null or absent: none. */
  updateChannel: z.unknown().optional(),
});
export type AvisiCluster = z.output<typeof avisiClusterSchema>;

/**
 * An update channel, as go-client's `UpdateChannelResponse` reads it: the cluster's
 * `updateChannel` and each entry of `GET /orgs/{org}/update-channels`. `available` absent
 * or null reads false (Go's zero value, what the go-client makes of it); the version is
 * kept as text and parsed by mapping.ts, so an AME string it cannot read loses only the
 * plain version.
 */
export const avisiUpdateChannelSchema = z.looseObject({
  name: z.string().trim().min(1),
  available: z
    .boolean()
    .nullish()
    .transform((available) => available ?? false),
  kubernetesClusterVersion: z.string(),
});
export type AvisiUpdateChannel = z.output<typeof avisiUpdateChannelSchema>;

export const avisiUpgradeSchema = z.looseObject({
  identity: z.string().min(1),
  clusterIdentity: z.string().min(1),
  toClusterVersion: z.string().min(1),
  fromClusterVersion: optionalText,
  /** See avisi/status.ts for how values map; unknown values are tolerated. */
  status: z.string(),
  createdAt: optionalText,
  modifiedAt: optionalText,
  windowStart: optionalText,
  windowEnd: optionalText,
  reason: optionalText,
});
export type AvisiUpgrade = z.output<typeof avisiUpgradeSchema>;

/** Spring's page envelope; only `content` and `last` drive reading. */
export function springPage<T extends z.ZodType>(item: T) {
  return z.looseObject({ content: z.array(item), last: z.boolean(), number: z.number().optional() });
}

export const avisiVersionsSchema = z.array(z.looseObject({ version: z.string().min(1) }));

/** The body of DELETE: the cancelled upgrade, or nothing (204). */
export const avisiDeleteSchema = z.union([avisiUpgradeSchema, z.literal(''), z.undefined(), z.null()]);

const avisiErrorSchema = z.looseObject({ message: z.string(), details: z.array(z.unknown()).nullish() });

/** `{message, details[]}`; undefined for a body in another shape (a proxy's HTML page). */
export function parseAvisiError(body: unknown): ApiErrorBody | undefined {
  const parsed = avisiErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  return { message: parsed.data.message, details: parsed.data.details?.map(detailText) };
}
