/**
 * `npm run server`: the real Temporal server on PostgreSQL, in the foreground, for
 * people. Builds it first when it is not installed (`npm run server:install`), starts a
 * throwaway PostgreSQL and the server on 127.0.0.1:7233 (`--port N` or
 * FLEET_TEMPORAL_PORT to change it), registers the `default` namespace and fleetwave's
 * search attributes, then the Temporal Web UI in front of it on 127.0.0.1:8080
 * (`--ui-port N` or FLEET_TEMPORAL_UI_PORT; `--no-ui` for none; built first when it is
 * not installed, `npm run ui:install`), prints how to point a worker at it, and on
 * Ctrl-C (or SIGTERM) stops the UI, the server, then PostgreSQL, and deletes the data.
 */
import { parseArgs } from 'node:util';
import { TemporalServerInstallError } from './install-server.js';
import { startTemporalServer, type RealTemporalServer } from './temporal-server.js';
import { startTemporalUi, type RunningTemporalUi } from './temporal-ui.js';

const USAGE = `usage: npm run server [-- --port <port>] [-- --ui-port <port> | --no-ui] [-- --log-level debug|info|warn|error]
  --port       the frontend's port on 127.0.0.1 (default: FLEET_TEMPORAL_PORT, else 7233)
  --ui-port    the Web UI's port on 127.0.0.1 (default: FLEET_TEMPORAL_UI_PORT, else 8080)
  --no-ui      no Web UI (it is built on first use otherwise: npm run ui:install)
  --log-level  print the server's log lines from this level up (default: none printed;
               they go to temporal.log in the data directory at warn)`;

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

const portOf = (text: string, name: string): number => {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`${name}: "${text}" is not a port\n${USAGE}`);
  return port;
};

function options(): { port: number; uiPort: number | undefined; logLevel: Level | undefined } {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      'no-ui': { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = portOf(values.port ?? process.env.FLEET_TEMPORAL_PORT ?? '7233', '--port / FLEET_TEMPORAL_PORT');
  if (values['no-ui'] && values['ui-port'] !== undefined)
    throw new Error(`--ui-port and --no-ui: choose one\n${USAGE}`);
  const uiPort = values['no-ui']
    ? undefined
    : portOf(values['ui-port'] ?? process.env.FLEET_TEMPORAL_UI_PORT ?? '8080', '--ui-port / FLEET_TEMPORAL_UI_PORT');
  const logLevel = values['log-level'] as Level | undefined;
  if (logLevel !== undefined && !LEVELS.includes(logLevel))
    throw new Error(`--log-level: "${logLevel}" is not one of ${LEVELS.join(', ')}\n${USAGE}`);
  return { port, uiPort, logLevel };
}

async function main(): Promise<void> {
  const { port, uiPort, logLevel } = options();
  const started = Date.now();
  // Filled in as the start goes; the signal handlers read it.
  const state: { server?: RealTemporalServer; ui?: RunningTemporalUi; requested?: string } = {};
  const stopNow = async () => {
    try {
      await state.ui?.stop();
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
      console.error(`\n${signal}: stopping ${state.ui ? 'the Temporal UI, ' : ''}the Temporal server, then PostgreSQL`);
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
  // The UI is a convenience: when it cannot start (no Go to build it, its port taken), the server stays up without it.
  let uiLine = '  web UI     none (--no-ui)';
  if (uiPort !== undefined) {
    try {
      state.ui = await startTemporalUi(server, {
        port: uiPort,
        install: true,
        onProgress: (line) => console.error(line),
        onUnexpectedExit: (how, tail) =>
          console.error(`the Temporal UI exited (${how}); the server keeps running:\n${tail}`),
      });
      uiLine = `  web UI     ${state.ui.url}/namespaces/${server.namespace}/workflows (Temporal UI ${state.ui.version}, pid ${state.ui.pid})`;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      console.error(`the Temporal UI did not start; the server runs without it:\n${why}`);
      uiLine = `  web UI     none (it did not start: ${why.split('\n')[0]})`;
    }
    if (state.requested) {
      await stopNow();
      return;
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
Temporal server ${server.version} on PostgreSQL is up (${seconds} s)
  address    ${server.address}
  namespace  ${server.namespace} (fleetwave's search attributes registered)
${uiLine}
  data       ${server.dir} (deleted on stop)
  pids       server ${server.pids.server}, postgres ${server.pids.postgres}

Point a worker and the CLI at it:
  export TEMPORAL_ADDRESS=${server.address} TEMPORAL_NAMESPACE=${server.namespace}
  npx fleet worker
  npx fleet rollout start -f rollout.yaml --id my-rollout

Ctrl-C stops ${state.ui ? 'the UI, the server and PostgreSQL' : 'the server and PostgreSQL'}.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof TemporalServerInstallError || error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
