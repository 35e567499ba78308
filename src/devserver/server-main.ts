/**
 * `npm run server`: the real Temporal server on PostgreSQL, in the foreground, for
 * people. Builds it first when it is not installed (`npm run server:install`), starts a
 * throwaway PostgreSQL and the server on 127.0.0.1:7233 (`--port N` or
 * FLEET_TEMPORAL_PORT to change it), registers the `default` namespace and fleetwave's
 * search attributes, prints how to point a worker at it, and on Ctrl-C (or SIGTERM)
 * stops the server, then PostgreSQL, and deletes the data.
 */
import { parseArgs } from 'node:util';
import { TemporalServerInstallError } from './install-server.js';
import { startTemporalServer, type RealTemporalServer } from './temporal-server.js';

const USAGE = `usage: npm run server [-- --port <port>] [-- --log-level debug|info|warn|error]
  --port       the frontend's port on 127.0.0.1 (default: FLEET_TEMPORAL_PORT, else 7233)
  --log-level  print the server's log lines from this level up (default: none printed;
               they go to temporal.log in the data directory at warn)`;

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

function options(): { port: number; logLevel: Level | undefined } {
  const { values } = parseArgs({ options: { port: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const portText = values.port ?? process.env.FLEET_TEMPORAL_PORT ?? '7233';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`--port / FLEET_TEMPORAL_PORT: "${portText}" is not a port\n${USAGE}`);
  const logLevel = values['log-level'] as Level | undefined;
  if (logLevel !== undefined && !LEVELS.includes(logLevel)) throw new Error(`--log-level: "${logLevel}" is not one of ${LEVELS.join(', ')}\n${USAGE}`);
  return { port, logLevel };
}

async function main(): Promise<void> {
  const { port, logLevel } = options();
  const started = Date.now();
  // Filled in as the start goes; the signal handlers read it.
  const state: { server?: RealTemporalServer; requested?: string } = {};
  const stopNow = async () => {
    try {
      await state.server?.stop();
      console.error('stopped; the data is deleted');
    } catch (error) {
      console.error(`stopping failed: ${String(error)}`);
      process.exitCode = 1;
    }
  };
  const onSignal = (signal: string) => {
    if (state.requested) return;
    state.requested = signal;
    if (state.server) {
      console.error(`\n${signal}: stopping the Temporal server, then PostgreSQL`);
      void stopNow();
    } else {
      console.error(`\n${signal}: stopping once what is starting is up`);
    }
  };
  // The server and PostgreSQL have process groups of their own: a Ctrl-C reaches only
  // us, and we stop them in order (server first, so it does not log a lost database).
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const server = await startTemporalServer({
    port,
    install: true,
    ...(logLevel ? { logLevel, onLog: (line: string) => console.error(`[temporal] ${line}`) } : {}),
    onProgress: (line) => console.error(line),
    // A crash ends the foreground command too: it is of no use without the server.
    onUnexpectedExit: (how, tail) => {
      console.error(`the Temporal server exited (${how}):\n${tail}`);
      process.exitCode = 1;
      onSignal('exit');
    },
  });
  state.server = server;
  if (state.requested) {
    await stopNow();
    return;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
Temporal server ${server.version} on PostgreSQL is up (${seconds} s)
  address    ${server.address}
  namespace  ${server.namespace} (fleetwave's search attributes registered)
  data       ${server.dir} (deleted on stop)
  pids       server ${server.pids.server}, postgres ${server.pids.postgres}

Point a worker and the CLI at it:
  export TEMPORAL_ADDRESS=${server.address} TEMPORAL_NAMESPACE=${server.namespace}
  npx fleet worker
  npx fleet rollout start -f rollout.yaml --id my-rollout

Ctrl-C stops both.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof TemporalServerInstallError || error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
