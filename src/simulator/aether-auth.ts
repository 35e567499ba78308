/**
 * Aether's authentication: `Authorization: Bearer aether_<hex>`, one token per
 * organisation (403 on any other, including unknown ones: a scoped token cannot tell
 * whether another organisation exists).
 */
import { normaliseId } from '../domain/ids.js';
import { fail, ok, type Result } from './problems.js';
import type { World } from './world.js';

export function authenticateAether(
  header: string | undefined,
  organisation: string | undefined,
  world: World,
): Result<string> {
  if (!header)
    return fail({
      status: 401,
      code: 'unauthenticated',
      message: 'missing Authorization header; send "Authorization: Bearer aether_<token>"',
    });
  const match = /^Bearer\s+(aether_[0-9a-f]+)$/.exec(header.trim());
  if (!match)
    return fail({
      status: 401,
      code: 'invalid_credentials',
      message: 'malformed credentials; expected "Bearer aether_<hex>"',
    });
  const token = match[1] as string;
  const scope = world.aetherTokens.get(token);
  if (scope === undefined)
    return fail({ status: 401, code: 'invalid_credentials', message: 'invalid or revoked token' });
  if (organisation !== undefined && normaliseId(organisation) !== scope) {
    return fail({ status: 403, code: 'forbidden', message: 'token is not valid for this organization' });
  }
  return ok(token);
}
