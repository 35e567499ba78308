/**
 * Avisi's Spring-paged lists: pages numbered from 0 (the cluster list's cursor is that
 * number), read until the page that says it is the last. Apart from client.ts's calls.
 */
import type { z } from 'zod';
import type { HttpClient } from '../http.js';
import { springPage } from './schemas.js';

/** The page number a `listClusterPage` cursor stands for; no cursor is the first page. */
export function pageOfCursor(cursor: string | undefined): number {
  const page = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isInteger(page) || page < 0) throw new RangeError(`not an Avisi page cursor: ${JSON.stringify(cursor)}`);
  return page;
}

/** Whether nothing follows `body`: it says it is the last, or it is empty (see springPages). */
export function isLastPage(body: { readonly last: boolean; readonly content: readonly unknown[] }): boolean {
  return body.last || body.content.length === 0;
}

/** Reads a Spring-paged list from page 0 until the page that says it is the last. */
export async function* springPages<T extends z.ZodType>(
  http: HttpClient,
  path: string,
  item: T,
  query: Readonly<Record<string, string>>,
  signal: AbortSignal | undefined,
): AsyncGenerator<z.output<T>> {
  const schema = springPage(item);
  for (let page = 0; ; page += 1) {
    const body = await http.request('GET', path, schema, { searchParams: { ...query, page }, signal });
    yield* body.content as z.output<T>[];
    // An empty page that is not "last" would otherwise loop for ever.
    if (isLastPage(body)) return;
  }
}
