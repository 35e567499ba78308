/**
 * Searching what a test exported (histories, logs, CLI output) for secrets, for the
 * security tests (test/integration/security*.test.ts): a secret counts as found as is,
 * or inside a base64 string of the text (Temporal payload data, failure attributes),
 * or inside a base64 string inside that (a payload carried in a payload).
 */

const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;

/** Every one of `secrets` found in `text`, as is or inside any base64 string in it, in the order given. */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  const found = new Set<string>();
  const search = (here: string, depth: number) => {
    for (const secret of secrets) if (here.includes(secret)) found.add(secret);
    if (depth === 2) return;
    for (const candidate of here.match(BASE64_RUN) ?? [])
      search(Buffer.from(candidate, 'base64').toString('utf8'), depth + 1);
  };
  search(text, 0);
  return secrets.filter((secret) => found.has(secret));
}
