/** `fleet simulator`: both platforms' APIs on one loopback port, until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { createLogger } from '../../logger.js';
import { loadFleetFile, startSimulator, type SimulatorOptions } from '../../simulator/index.js';
import { UsageError } from '../errors.js';

interface SimulatorFlags {
  host: string;
  port: string;
  seed: string;
  fleet?: string;
  avisiClusters: string;
  aetherClusters: string;
  minors: string;
  timeScale: string;
  aetherRate?: string;
}

const number = (flag: string, value: string, min = 0): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new UsageError(`--${flag}: must be a number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
};

export function registerSimulatorCommand(program: Command): void {
  program
    .command('simulator')
    .description('run the Avisi Cloud + Aether API simulator (both dialects on one port, inspection under /_sim/)')
    .option('--host <ip>', 'address to bind (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8787')
    .option('--fleet <file>', 'load the fleet from a YAML/JSON file instead of generating it')
    .option('--seed <n>', 'seed of the generated fleet', '1')
    .option('--avisi-clusters <n>', 'generated Avisi clusters', '20')
    .option('--aether-clusters <n>', 'generated Aether clusters', '20')
    .option('--minors <list>', 'Kubernetes minors the generated fleet runs, comma-separated', '1.30')
    .option('--time-scale <n>', 'simulated seconds per real second (86400: a day per second)', '1')
    .option('--aether-rate <n>', 'Aether requests per minute per token (0: unlimited)')
    .addHelpText(
      'after',
      '\nExamples:\n  fleet simulator --port 8787 --time-scale 86400\n  fleet simulator --fleet fleet.yaml',
    )
    .action(runSimulator);
}

async function runSimulator(flags: SimulatorFlags): Promise<void> {
  const sim = await startSimulator(await simulatorOptions(flags));
  const aetherOrg = sim.organisations.aether[0];
  console.log(`simulator listening on ${sim.url} (inspection: ${sim.url}/_sim/clusters)`);
  console.log(
    `Avisi organisations: ${sim.organisations.avisi.join(', ')}; Aether organisations: ${sim.organisations.aether.join(', ')}`,
  );
  console.log('Point a worker at it with:');
  console.log(`  export AVISI_API_URL=${sim.url}/api/v1 AVISI_API_TOKEN=${sim.tokens.avisi}`);
  if (aetherOrg)
    console.log(`  export AETHER_API_URL=${sim.url}/api/v1 AETHER_API_TOKEN=${sim.tokens.aether[aetherOrg]}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
}

/** The flags as the simulator's options: the fleet from a file, else generated. */
async function simulatorOptions(flags: SimulatorFlags): Promise<SimulatorOptions> {
  const generate = () => ({
    seed: number('seed', flags.seed),
    avisi: { clusters: number('avisi-clusters', flags.avisiClusters) },
    aether: { clusters: number('aether-clusters', flags.aetherClusters) },
    minors: flags.minors.split(',').map((m) => m.trim()),
  });
  return {
    host: flags.host,
    port: number('port', flags.port),
    timeScale: number('time-scale', flags.timeScale, 0.001),
    logger: createLogger(),
    ...(flags.aetherRate !== undefined
      ? { rateLimitPerMinute: { aether: number('aether-rate', flags.aetherRate) } }
      : {}),
    ...(flags.fleet ? { fleet: await loadFleetFile(flags.fleet) } : { generate: generate() }),
  };
}
