/** `AETHER_API_TOKEN`: Aether tokens are per organisation. Pure (the descriptor imports it). */
import { normaliseId } from '../../domain/ids.js';
import type { PlatformToken } from '../descriptor.js';

/**
 * `aether_abc` (one for all) or `orgA=aether_abc,orgB=aether_def` (per organisation,
 * ids normalised); undefined when a pair lacks its organisation or its token.
 */
export function readAetherTokens(text: string): PlatformToken | undefined {
  if (!text.includes('=')) return text;
  const tokens: Record<string, string> = {};
  for (const pair of text.split(/[,\s]+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    const org = pair.slice(0, at).trim();
    const token = pair.slice(at + 1).trim();
    if (at <= 0 || !token) return undefined;
    tokens[normaliseId(org)] = token;
  }
  return tokens;
}
