/**
 * A tiny scripted HTTP server for what the simulator cannot produce on demand:
 * unknown enum values, malformed bodies, exact error bodies and headers, hangs.
 * Each route answers from a queue of responses (the last one repeats) and every
 * request is recorded.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResponse {
  readonly status?: number;
  readonly body?: unknown;
  /** Sent as is instead of JSON. */
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Never answer (until the server closes). */
  readonly hang?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeApi {
  /** Base URL including `/api/v1`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Scripts `METHOD /path` (path without query, below /api/v1). */
  route(method: string, path: string, ...responses: FakeResponse[]): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, FakeResponse[]>();
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const path = url.split('?')[0]!.replace(/^\/api\/v1/, '');
      const queue = routes.get(`${req.method} ${path}`);
      const response = queue && (queue.length > 1 ? queue.shift()! : queue[0]);
      if (!response) {
        res.writeHead(599, { 'content-type': 'text/plain' }).end(`no route for ${req.method} ${path}`);
        return;
      }
      if (response.hang) return;
      const body = response.raw ?? (response.body === undefined ? '' : JSON.stringify(response.body));
      res
        .writeHead(response.status ?? 200, {
          'content-type': response.raw ? 'text/html' : 'application/json',
          ...response.headers,
        })
        .end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    requests,
    route(method, path, ...responses) {
      routes.set(`${method} ${path}`, [...responses]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Catches the rejection of `promise`, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
