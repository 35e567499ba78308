/**
 * The ports a real Temporal server listens on: checked free, or chosen free (membership ports
 * below 32768, which the cluster_membership table needs); temporal-server.ts starts the server on them.
 */
import { createServer } from 'node:net';
import { freePort } from './dev-server.js';
import type { ServerPorts } from './temporal-server-config.js';

/** Throws when something else listens on the port (`inUse` says what to do): a clear message beats a bind error. */
export async function ensurePortFree(
  ip: string,
  port: number,
  inUse = '(another Temporal server?): choose another port',
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `${ip}:${port} is in use ${inUse}`
            : `cannot listen on ${ip}:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen(port, ip, () => probe.close(() => resolve()));
  });
}

/** Whether `ip:port` can be listened on now. */
const canListen = (ip: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, ip, () => probe.close(() => resolve(true)));
  });

/**
 * A free port below 32768 for a membership port: the cluster_membership table keeps it
 * as a SMALLINT, and the kernel's ephemeral ports (what `freePort` gets) start above it.
 */
async function freeMembershipPort(ip: string, taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canListen(ip, port))) return port;
  }
  throw new Error(`no free port between 20000 and 32000 on ${ip} for the server's membership`);
}

export async function choosePorts(ip: string, frontend: number | undefined): Promise<ServerPorts> {
  const taken = new Set<number>(frontend === undefined ? [] : [frontend]);
  const next = async (membership = false) => {
    for (;;) {
      const port = membership ? await freeMembershipPort(ip, taken) : await freePort(ip);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  return {
    frontend: frontend ?? (await next()),
    frontendHttp: await next(),
    frontendMembership: await next(true),
    history: await next(),
    historyMembership: await next(true),
    matching: await next(),
    matchingMembership: await next(true),
    worker: await next(),
    workerMembership: await next(true),
  };
}
