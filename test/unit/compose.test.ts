/**
 * docker-compose.yml, the Dockerfile and .dockerignore, checked statically (no Docker
 * engine runs here): pinned images, healthchecks and dependency conditions, the search
 * attributes registered equal to the code's, the worker's environment equal to what
 * the code reads, and the image running what its build produced.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../src/devserver/dev-server.js';
import { TEMPORAL_SERVER_VERSION } from '../../src/devserver/install-server.js';
import { TEMPORAL_UI_VERSION } from '../../src/devserver/install-ui-server.js';
import { NUM_HISTORY_SHARDS, TEMPORAL_DATABASES } from '../../src/devserver/temporal-server-config.js';
import { parseDuration } from '../../src/domain/durations.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_SHUTDOWN_GRACE_TIME_MS, isWorkerEnvVar } from '../../src/worker-config.js';
import { DEFAULT_WORKFLOW_BUNDLE_FILE } from '../../src/workflow-bundle.js';
import { FLEET_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string; required?: boolean }> | string[];
  healthcheck?: { test: string[] };
  ports?: string[];
  profiles?: string[];
  volumes?: string[];
  restart?: string;
  stop_grace_period?: string;
}

// Compose applies YAML merge keys (`<<: *anchor`); the yaml package does when asked.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const COMPLETED = 'service_completed_successfully';
const HEALTHY = 'service_healthy';
const dependencies = (s: Service) => (Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}));
const oneShots = new Set(
  services.flatMap(([, s]) =>
    Object.entries(dependencies(s))
      .filter(([, d]) => d.condition === COMPLETED)
      .map(([name]) => name),
  ),
);

/** `${NAME:-default}` -> default; a literal stays itself. */
const defaultOf = (value: string | number | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const text = String(value);
  return /^\$\{\w+:-(.*)\}$/.exec(text)?.[1] ?? text;
};

/** Where tsc (tsconfig.build.json) writes a source file. */
const build = parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
const compiled = (source: string): string =>
  source
    .replace(new RegExp(`^${build.compilerOptions.rootDir}/`), `${build.compilerOptions.outDir}/`)
    .replace(/\.ts$/, '.js');

describe('docker-compose.yml', () => {
  it('pins every image to an exact version', () => {
    const images = services.filter(([, s]) => s.image).map(([name, s]) => [name, s.image as string] as const);
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const [name, image] of images) expect(image, name).toMatch(/^[a-z0-9][a-z0-9._/-]*:\d+\.\d+[0-9A-Za-z._-]*$/);
  });

  it('builds the fleetwave services from the Dockerfile', () => {
    for (const name of ['worker', 'simulator'])
      expect(service(name).build, name).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    for (const [name, s] of services)
      expect(Boolean(s.image) !== Boolean(s.build), `${name}: an image or a build`).toBe(true);
  });

  it('gives every long-running service a healthcheck and waits on one-shot services to complete', () => {
    expect([...oneShots].sort()).toEqual(['temporal-schema', 'temporal-setup']);
    for (const [name, s] of services) {
      if (oneShots.has(name)) expect(s.restart, `${name} runs once`).toBeUndefined();
      else expect(s.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(1);
    }
  });

  it('sets a condition on every dependency, and each condition fits the service depended on', () => {
    for (const [name, s] of services) {
      expect(Array.isArray(s.depends_on), `${name}: depends_on with conditions`).toBe(false);
      for (const [on, dependency] of Object.entries(dependencies(s))) {
        const target = service(on);
        expect(dependency.condition, `${name} -> ${on}`).toBe(oneShots.has(on) ? COMPLETED : HEALTHY);
        if (dependency.condition === HEALTHY) expect(target.healthcheck, `${on} has a healthcheck`).toBeDefined();
        // A dependency that only runs in a profile must not stop the services outside it.
        if (target.profiles && !s.profiles)
          expect(dependency.required, `${name} -> ${on} (profile ${target.profiles.join(',')})`).toBe(false);
      }
    }
  });

  it('orders the start: database, schema, server, namespace and search attributes, then the worker', () => {
    expect(dependencies(service('temporal-schema'))).toEqual({ postgresql: { condition: HEALTHY } });
    expect(dependencies(service('temporal'))).toEqual({ 'temporal-schema': { condition: COMPLETED } });
    expect(dependencies(service('temporal-setup'))).toEqual({ temporal: { condition: HEALTHY } });
    expect(dependencies(service('temporal-ui'))).toEqual({ temporal: { condition: HEALTHY } });
    expect(dependencies(service('worker'))).toMatchObject({ 'temporal-setup': { condition: COMPLETED } });
  });

  it('runs the Temporal server release `npm run server` builds, with admin tools of the same release', () => {
    expect(service('temporal').image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    for (const name of ['temporal-schema', 'temporal-setup'])
      expect(service(name).image, name).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
  });

  it('runs the Temporal UI release `npm run server` builds, in front of the server', () => {
    const ui = service('temporal-ui');
    expect(ui.image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION}`);
    expect(defaultOf(ui.environment?.TEMPORAL_ADDRESS)).toBe('temporal:7233');
    expect(defaultOf(ui.environment?.TEMPORAL_DEFAULT_NAMESPACE)).toBe(
      defaultOf(service('temporal-setup').environment?.TEMPORAL_NAMESPACE),
    );
  });

  it('sets up the same persistence as `npm run server`: postgres12 databases, the default shard count', () => {
    const env = service('temporal').environment ?? {};
    expect(env.DB).toBe('postgres12');
    // The image's template defaults NUM_HISTORY_SHARDS to 4; src/devserver/temporal-server-config.ts writes the same.
    expect(env.NUM_HISTORY_SHARDS ?? 4).toBe(NUM_HISTORY_SHARDS);
    const script = (service('temporal-schema').command ?? []).join('\n');
    expect(script).toContain('--plugin postgres12');
    const databases = /for db in ([^;]+);/
      .exec(script)?.[1]
      ?.trim()
      .split(/\s+/)
      .map((pair) => pair.split(':')[0]);
    expect(databases).toEqual([TEMPORAL_DATABASES.default, TEMPORAL_DATABASES.visibility]);
  });

  it('registers exactly the search attributes the workflows use, with their types', () => {
    const setup = service('temporal-setup');
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    const script = (setup.command ?? []).join('\n');
    expect(script).toContain('temporal operator search-attribute create');
    const registered = [...script.matchAll(/--name\s+(\w+)\s+--type\s+(\w+)/g)].map(([, name, type]) => ({
      name,
      type,
    }));
    const expected = FLEET_SEARCH_ATTRIBUTES.map((key) => ({
      name: key.name,
      type: SEARCH_ATTRIBUTE_CLI_TYPES[key.type],
    }));
    expect(registered).toEqual(expected);
  });

  it('sets only variables the worker reads, and every one it needs in a container', () => {
    const env = service('worker').environment ?? {};
    const unknown = Object.keys(env).filter((name) => !isWorkerEnvVar(name));
    expect(unknown).toEqual([]);
    // localhost is not the server inside a container; the platforms need URLs and tokens.
    const needed = [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'FLEET_TASK_QUEUE',
      'AVISI_API_URL',
      'AVISI_API_TOKEN',
      'AETHER_API_URL',
      'AETHER_API_TOKEN',
    ];
    expect(needed.filter((name) => !defaultOf(env[name]))).toEqual([]);
    expect(defaultOf(env.TEMPORAL_ADDRESS)).toBe('temporal:7233');
    expect(defaultOf(env.TEMPORAL_NAMESPACE)).toBe(
      defaultOf(service('temporal-setup').environment?.TEMPORAL_NAMESPACE),
    );
  });

  it('lets running activities finish before Docker kills the worker', () => {
    const worker = service('worker');
    const grace =
      parseDuration(defaultOf(worker.environment?.FLEET_WORKER_SHUTDOWN_GRACE_TIME) ?? '') ??
      DEFAULT_SHUTDOWN_GRACE_TIME_MS;
    expect(parseDuration(worker.stop_grace_period ?? '10s')).toBeGreaterThan(grace);
  });

  it('runs what the Dockerfile built: the compiled CLI, and the compiled healthcheck', () => {
    expect(service('worker').command).toEqual(['worker']);
    expect(service('worker').healthcheck?.test).toEqual(['CMD', 'node', compiled('src/worker-health.ts')]);
    expect(service('simulator').command?.[0]).toBe('simulator');
    expect(dockerfile.at(-1)).toEqual({ keyword: 'CMD', args: '["worker"]' });
    expect(instructions(runtimeStage(), 'ENTRYPOINT')).toEqual([`["node", "${compiled('src/cli/main.ts')}"]`]);
  });

  it('runs the simulator only in its profile, reachable inside the network', () => {
    const simulator = service('simulator');
    expect(simulator.profiles).toEqual(['simulator']);
    expect(simulator.command?.join(' ')).toMatch(/--host 0\.0\.0\.0\b/);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((port) => [name, port] as const));
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('keeps the database on a named volume', () => {
    const [volume] = (service('postgresql').volumes ?? []).map((v) => v.split(':'));
    expect(volume?.[1]).toBe('/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume?.[0]);
  });

  describe("the worker's default platforms", () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      // The simulator as the compose file starts it: its flags, else the CLI's defaults.
      const flags = service('simulator').command ?? [];
      const flag = (name: string, fallback: string) =>
        flags.includes(name) ? (flags[flags.indexOf(name) + 1] as string) : fallback;
      sim = await startSimulator({
        seed: Number(flag('--seed', '1')),
        generate: {
          seed: Number(flag('--seed', '1')),
          avisi: { clusters: Number(flag('--avisi-clusters', '20')) },
          aether: { clusters: Number(flag('--aether-clusters', '20')) },
          minors: flag('--minors', '1.30').split(','),
        },
      });
    });
    afterAll(() => sim?.close());

    it("are the simulator's URLs and the tokens it issues", () => {
      const env = service('worker').environment ?? {};
      const port = (service('simulator').command ?? [])[(service('simulator').command ?? []).indexOf('--port') + 1];
      expect(defaultOf(env.AVISI_API_URL)).toBe(`http://simulator:${port}/api/v1`);
      expect(defaultOf(env.AETHER_API_URL)).toBe(`http://simulator:${port}/api/v1`);
      expect(defaultOf(env.AVISI_API_TOKEN)).toBe(sim.tokens.avisi);
      expect(defaultOf(env.AETHER_API_TOKEN)).toBe(sim.tokens.aether[sim.organisations.aether[0]!]);
    });
  });
});

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions (comments dropped, continuation lines joined). */
const dockerfile: Instruction[] = read('Dockerfile')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: (keyword as string).toUpperCase(), args: rest.join(' ') };
  });
const stages = (): Instruction[][] =>
  dockerfile.reduce<Instruction[][]>((all, instruction) => {
    if (instruction.keyword === 'FROM') all.push([]);
    all.at(-1)?.push(instruction);
    return all;
  }, []);
const stageNamed = (name: string): Instruction[] => {
  const found = stages().find((stage) => new RegExp(`\\bAS ${name}$`, 'i').test(stage[0]!.args));
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
};
const runtimeStage = (): Instruction[] => stages().at(-1)!;
const instructions = (stage: Instruction[], keyword: string): string[] =>
  stage.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage, every base image pinned to an exact release', () => {
    const bases = instructions(dockerfile, 'FROM').map((args) => args.split(/\s+/)[0] as string);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^[a-z0-9][a-z0-9._/-]*:\d+\.\d+\.\d+[0-9A-Za-z._-]*$/);
  });

  it('runs as a user that is not root', () => {
    const users = instructions(runtimeStage(), 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('points FLEET_WORKFLOW_BUNDLE at the bundle its build stage produces', () => {
    const buildStage = stageNamed('build');
    const workdir = instructions(buildStage, 'WORKDIR').at(-1);
    expect(instructions(buildStage, 'RUN')).toContain('npm run build');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/npm run bundle$/);
    expect(instructions(runtimeStage(), 'COPY')).toContain(`--from=build ${workdir}/dist ./dist`);
    expect(instructions(runtimeStage(), 'WORKDIR').at(-1)).toBe(workdir);
    const env = instructions(runtimeStage(), 'ENV').join(' ');
    expect(/FLEET_WORKFLOW_BUNDLE=(\S+)/.exec(env)?.[1]).toBe(`${workdir}/${DEFAULT_WORKFLOW_BUNDLE_FILE}`);
    // The bundle must not overwrite a compiled module of the same name.
    expect(() => read(DEFAULT_WORKFLOW_BUNDLE_FILE.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))).toThrow(
      /ENOENT/,
    );
  });

  it('copies nothing from the build context that .dockerignore leaves out', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, ''));
    const sources = instructions(dockerfile, 'COPY')
      .filter((args) => !args.startsWith('--from='))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(allowed, source).toContain(source.replace(/^\.\//, '').replace(/\/$/, ''));
  });
});
