/**
 * `fleet demo`: the embedded default. Starts a Temporal dev server (database in
 * .fleetwave/demo/, Web UI on), the simulator with a generated fleet on both
 * platforms, and a worker; runs one rollout per platform; prints the reports and the
 * UI link. Exits 0 when both rollouts upgraded every cluster.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Command } from 'commander';
import { startDevServer } from '../../devserver/dev-server.js';
import { STATE_DIR } from '../../devserver/temporal-cli.js';
import { createLogger } from '../../logger.js';
import { installSdkLogging } from '../../sdk-logging.js';
import type { RolloutReport } from '../../domain/report.js';
import { parseRolloutSpec, type RolloutSpec } from '../../domain/spec.js';
import { startSimulator } from '../../simulator/index.js';
import { DEFAULT_TASK_QUEUE } from '../../temporal-config.js';
import { createFleetWorker, depsFromEnv } from '../../worker.js';
import { UsageError } from '../errors.js';
import { followRollout, formatReport, progressLine, startRollout } from '../rollouts.js';

interface DemoFlags {
  clusters: string;
  keep?: boolean;
  uiPort?: string;
}

const SECONDS_PER_SIMULATED_DAY = 2;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a whole rollout on both platforms on this machine: dev server + UI, simulator, worker')
    .option('--clusters <n>', 'clusters per platform', '20')
    .option('--ui-port <n>', 'port of the Temporal Web UI (default: a free port)')
    .option('--keep', 'keep the dev server, UI and simulator running after the rollouts, until Ctrl-C')
    .addHelpText('after', '\nExamples:\n  npm run demo\n  npm run demo -- --clusters 50 --keep')
    .action(async (flags: DemoFlags) => {
      const clusters = Number(flags.clusters);
      if (!Number.isInteger(clusters) || clusters < 1 || clusters > 2000) throw new UsageError(`--clusters: a whole number from 1 to 2000, got ${JSON.stringify(flags.clusters)}`);
      const say = (line: string) => console.error(`[demo] ${line}`);
      const logger = createLogger({ level: process.env.FLEET_LOG_LEVEL ?? 'warn' });
      installSdkLogging(logger, 'WARN');

      const dbFile = join(STATE_DIR, 'demo', 'temporal.db');
      await rm(dbFile, { force: true });
      say('starting the Temporal dev server (installs the pinned Temporal CLI into .fleetwave/ on first run)');
      const server = await startDevServer({ ui: true, dbFile, ...(flags.uiPort ? { uiPort: Number(flags.uiPort) } : {}) });
      const cleanups: (() => Promise<void>)[] = [() => server.stop()];
      try {
        say(`Temporal at ${server.address}, Web UI at ${server.uiUrl}`);
        // A simulated day passes in two seconds, so windows days away open within the demo.
        const sim = await startSimulator({
          generate: { seed: 7, avisi: { clusters }, aether: { clusters }, minors: ['1.30', '1.31'] },
          timeScale: 86_400 / SECONDS_PER_SIMULATED_DAY,
          rateLimitPerMinute: { aether: 6000 },
        });
        cleanups.unshift(() => sim.close());
        const avisiOrg = sim.organisations.avisi[0]!;
        const aetherOrg = sim.organisations.aether[0]!;
        say(`simulator at ${sim.url}: ${clusters} Avisi clusters in ${avisiOrg}, ${clusters} Aether clusters in ${aetherOrg}`);

        const env = {
          AVISI_API_URL: `${sim.url}/api/v1`,
          AVISI_API_TOKEN: sim.tokens.avisi,
          AETHER_API_URL: `${sim.url}/api/v1`,
          AETHER_API_TOKEN: sim.tokens.aether[aetherOrg],
          // Half the simulator's limit: the budget workflow (fleet-api-budget/...) paces the calls, so none is refused.
          AETHER_API_RATE_PER_MINUTE: '3000',
        };
        const connection = await Connection.connect({ address: server.address });
        cleanups.unshift(() => connection.close());
        const client = new Client({ connection, namespace: server.namespace });

        const nativeConnection = await NativeConnection.connect({ address: server.address });
        const deps = depsFromEnv(logger, env, { client, taskQueue: DEFAULT_TASK_QUEUE });
        const worker = await createFleetWorker({ connection: nativeConnection, namespace: server.namespace, taskQueue: DEFAULT_TASK_QUEUE, deps });
        const workerRun = worker.run();
        cleanups.unshift(async () => {
          worker.shutdown();
          await workerRun;
          await nativeConnection.close();
        });
        const specs: RolloutSpec[] = [
          { platform: 'avisi', organisation: avisiOrg, targetVersion: '1.31', maxParallel: 5, pollInterval: '1s' },
          { platform: 'aether', organisation: aetherOrg, targetVersion: '1.31', maxParallel: 5, pollInterval: '1s' },
        ];
        const reports: RolloutReport[] = await Promise.all(
          specs.map(async (spec) => {
            const handle = await startRollout(client, { taskQueue: DEFAULT_TASK_QUEUE, spec, plan: parseRolloutSpec(spec) });
            say(`started ${handle.workflowId}: ${server.uiUrl}/namespaces/${server.namespace}/workflows/${encodeURIComponent(handle.workflowId)}`);
            return followRollout(handle, (p) => say(progressLine(p)));
          }),
        );
        console.log('');
        for (const report of reports) console.log(formatReport(report));
        console.log(`\nTemporal Web UI: ${server.uiUrl}/namespaces/${server.namespace}/workflows`);
        const ok = reports.every((r) => r.status === 'SUCCEEDED');
        process.exitCode = ok ? 0 : 1;
        if (flags.keep) {
          say('running until Ctrl-C (the UI stays up)');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
        } else {
          say('done; run `npm run demo -- --keep` to keep the UI open afterwards');
        }
      } finally {
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      }
    });
}
