/**
 * zod building blocks both dialects use. Responses are read tolerantly: required fields
 * are required, extra fields pass (the APIs grow), and enums are plain strings that the
 * clients map themselves, so a new status value is logged instead of failing a read.
 */
import { z } from 'zod';
import { parseVersion } from '../domain/versions.js';

/** A Kubernetes version string in any spelling `parseVersion` accepts. */
export const kubeVersionString = z.string().refine((text) => parseVersion(text) !== undefined, {
  error: (issue) => `not a Kubernetes version: ${JSON.stringify(issue.input)}`,
});

/** Optional text that APIs send as null, absent or a string. */
export const optionalText = z.string().nullish();

/** A detail entry rendered as text, whatever shape the API gave it. */
export function detailText(detail: unknown): string {
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}
