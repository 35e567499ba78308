/**
 * Aether response bodies (snake_case), as far as fleetwave reads them. Required fields
 * follow the seed's schema; the rest pass through unread. UUIDs may come upper-case:
 * the client normalises them.
 */
import { z } from 'zod';
import type { ApiErrorBody } from '../http.js';
import { kubeVersionString, optionalText } from '../schemas.js';

export const aetherClusterSchema = z.looseObject({
  id: z.string().min(1),
  org_id: z.string().min(1),
  name: z.string(),
  /** Required by the seed; what operators group Aether clusters by (`nl-ams-1`). */
  region: z.string(),
  /** The desired version. */
  k8s_version: kubeVersionString,
  /** `provisioning | running | upgrading | degraded | deleting | failed`; unknown values are tolerated. */
  status: z.string(),
  status_message: optionalText,
  /** The cluster's Kubernetes API URL; health checks may template it (`{endpoint}`). */
  endpoint: optionalText,
  /** What aether-operator reports once a rollout settles; null before the first report. */
  observed_kubernetes_version: kubeVersionString.nullish(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AetherCluster = z.output<typeof aetherClusterSchema>;

/** Cursor page: read until `next_cursor` is null. */
export const aetherClusterPageSchema = z.looseObject({
  items: z.array(aetherClusterSchema),
  next_cursor: z.string().nullish(),
});

const aetherErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    details: z
      .array(
        z.looseObject({ field: z.string().optional(), code: z.string().optional(), message: z.string().optional() }),
      )
      .nullish(),
  }),
});

/** `{error: {code, message, details[{field, code, message}]}}`; undefined for other shapes. */
export function parseAetherError(body: unknown): ApiErrorBody | undefined {
  const parsed = aetherErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message, details } = parsed.data.error;
  return {
    code,
    message,
    details: details?.map((d) => [d.field, d.message ?? d.code].filter(Boolean).join(': ')),
  };
}
