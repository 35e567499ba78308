/**
 * Avisi's authentication: `Authorization: Token <pat>`; a token from the global list is
 * valid for every organisation, an organisation's own token only for it (403 elsewhere).
 */
import { fail, ok, type Result } from './problems.js';
import type { World } from './world.js';

const FORBIDDEN_MESSAGE = 'You do not have the necessary permissions to access this resource.';

export function authenticateAvisi(
  header: string | undefined,
  organisation: string | undefined,
  world: World,
): Result<string> {
  const unauthorized = (note: string) =>
    fail({ status: 401, code: 'unauthorized', message: 'Unauthorized', notes: [note] });
  if (!header) return unauthorized('missing Authorization header; send "Authorization: Token <personal access token>"');
  const match = /^(\S+)\s+(\S+)$/.exec(header.trim());
  if (!match || match[1] !== 'Token')
    return unauthorized('unsupported authorization scheme; use "Token <personal access token>"');
  const token = match[2] as string;
  if (world.avisiTokens.has(token)) return ok(token);
  const scope = world.avisiOrgTokens.get(token);
  if (scope === undefined) return unauthorized('invalid or expired token');
  if (organisation !== undefined && organisation !== scope)
    return fail({ status: 403, code: 'forbidden', message: FORBIDDEN_MESSAGE, notes: [] });
  return ok(token);
}

/** The organisations an authenticated Avisi token belongs to: all for a global token, its own for a scoped one. */
export function avisiOrganisationsOf(token: string, world: World): string[] {
  if (world.avisiTokens.has(token)) return [...world.avisi.keys()];
  const scope = world.avisiOrgTokens.get(token);
  return scope === undefined ? [] : [scope];
}
