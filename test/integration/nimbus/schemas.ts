/** Nimbus's wire, as `src/platforms/nimbus/schemas.ts` would hold it. */
import { z } from 'zod';

export const nimbusClusterSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  desired_version: z.string(),
  // Unknown phases are tolerated: the client reports them as `unknown`.
  phase: z.string(),
});
export type NimbusCluster = z.infer<typeof nimbusClusterSchema>;

export const nimbusPageSchema = z.object({
  clusters: z.array(nimbusClusterSchema),
  next_page_token: z.string().optional(),
});
export const nimbusVersionsSchema = z.object({ versions: z.array(z.string()) });

export function parseNimbusError(body: unknown): { code?: string; message?: string } | undefined {
  const parsed = z.object({ problem: z.object({ title: z.string(), type: z.string().optional() }) }).safeParse(body);
  return parsed.success
    ? { message: parsed.data.problem.title, ...(parsed.data.problem.type ? { code: parsed.data.problem.type } : {}) }
    : undefined;
}
