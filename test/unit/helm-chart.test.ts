/**
 * deploy/helm/fleetwave, linted and rendered by a real helm: HELM_PATH, else the pinned
 * build .ci/install-helm.sh puts in .fleetwave/helm/, else `helm` on PATH. Without one
 * the tests fail in CI and are skipped elsewhere, saying how to get it.
 *
 * What must hold in every rendering: the probes run the compose file's healthcheck, the
 * pod outlives the worker's shutdown grace, tokens reach the worker only by reference to
 * the Secret (no literal, no values field that takes one), every variable set is one the
 * worker reads, the PDB is there, the ServiceMonitor only when asked for. Wrong settings
 * fail the render with the chart's message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { parseDuration } from '../../src/domain/durations.js';
import { PLATFORM_DESCRIPTORS } from '../../src/platforms/registry.js';
import { isWorkerEnvVar } from '../../src/worker-config.js';
import { findExecutable } from '../support/executables.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = join(ROOT, 'deploy', 'helm', 'fleetwave');
const HELM_VERSION = 'v3.22.0';
const HELM_MISSING = `helm not found: run \`.ci/install-helm.sh\` (builds helm ${HELM_VERSION} into .fleetwave/helm/ with go install; .ci/run does), or set HELM_PATH`;
const helm = process.env.HELM_PATH
  ? findExecutable([], process.env.HELM_PATH)
  : (findExecutable([], join(ROOT, '.fleetwave', 'helm', HELM_VERSION, 'helm')) ?? findExecutable(['helm'], undefined));
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

/** A token the chart must never carry: it may only be refused. */
const FAKE_TOKEN = 'aether_f4k3t0k3n5h0uldn3v3rb3r3nd3r3d';
/** Names whose values are secrets (the chart's own list, _env.tpl, says the same). */
const SECRET_NAME =
  /^(AVISI_API_TOKEN|AETHER_API_TOKEN|TEMPORAL_API_KEY|TEMPORAL_TLS_CLIENT_KEY_DATA|TEMPORAL_CODEC_AUTH|TEMPORAL_GRPC_META_.+|FLEET_NOTIFY_.+_(URL|SECRET)|FLEET_HEALTH_.+)$|TOKEN|SECRET|PASSWORD|API_KEY/;
const TOKEN_VARS = ['AVISI_API_TOKEN', 'AETHER_API_TOKEN', 'TEMPORAL_API_KEY'];

// helm's own state (repositories, caches) in a throwaway home: nothing of the user's is read or written.
const home = mkdtempSync(join(tmpdir(), 'fleet-helm-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const helmEnv = {
  ...process.env,
  HELM_CONFIG_HOME: join(home, 'config'),
  HELM_CACHE_HOME: join(home, 'cache'),
  HELM_DATA_HOME: join(home, 'data'),
  KUBECONFIG: join(home, 'kubeconfig'),
};

let files = 0;
function run(args: string[], values?: object): { status: number | null; out: string; err: string } {
  const extra: string[] = [];
  if (values) {
    const file = join(home, `values-${files++}.yaml`);
    writeFileSync(file, stringify(values));
    extra.push('-f', file);
  }
  const result = spawnSync(helm!, [...args, CHART, ...extra], { env: helmEnv, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  exec?: { command: string[] };
  timeoutSeconds?: number;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: object; limits?: object };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests of many kinds, read by path
type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: any };

/** `helm template` with `values` over the defaults: its manifests, or the error helm gave. */
function render(values?: object): Manifest[] {
  const { status, out, err } = run(['template', 'fleetwave', '--namespace', 'fleet'], values);
  if (status !== 0) throw new Error(`helm template failed (${status}): ${err.trim()}`);
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}
function renderError(values: object): string {
  const { status, out, err } = run(['template', 'fleetwave', '--namespace', 'fleet'], values);
  expect(status, `rendered although it should not:\n${out}`).not.toBe(0);
  expect(out).not.toContain(FAKE_TOKEN);
  return err;
}
const only = (manifests: Manifest[], kind: string): Manifest => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const worker = (manifests: Manifest[]): Container => {
  const containers = only(manifests, 'Deployment').spec.template.spec.containers as Container[];
  expect(containers.map((c) => c.name)).toEqual(['worker']);
  return containers[0]!;
};
const envOf = (container: Container, name: string): EnvVar | undefined => container.env?.find((e) => e.name === name);

const METRICS = {
  metrics: { enabled: true, serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
};
const EXISTING = { secret: { existingSecret: 'platform-tokens' }, worker: { shutdownGraceTime: '2m' } };

describe.runIf(!helm)('the Helm chart (no helm)', () => {
  it('needs helm', (ctx) => {
    if (inCi) throw new Error(HELM_MISSING);
    ctx.skip(HELM_MISSING);
  });
});

describe.runIf(helm)('the Helm chart deploy/helm/fleetwave', () => {
  // Rendered in a hook, so a chart that fails to render fails tests, not the file's collection.
  let defaults: Manifest[] = [];
  beforeAll(() => {
    defaults = render();
  });
  const valueSets = { defaults: {}, metrics: METRICS, existingSecret: EXISTING } as const;

  it('passes helm lint --strict, with its defaults and with metrics and an existing Secret', () => {
    for (const values of [undefined, { ...METRICS, ...EXISTING }]) {
      const { status, out, err } = run(['lint', '--strict'], values);
      expect(status, `${out}\n${err}`).toBe(0);
      expect(out).toContain('0 chart(s) failed');
    }
  });

  it('downloads nothing: no dependencies, and a schema that refers to nothing outside itself', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as {
      dependencies?: unknown[];
      appVersion: string;
    };
    expect(chart.dependencies ?? []).toEqual([]);
    expect(existsSync(join(CHART, 'charts'))).toBe(false);
    const schema = readFileSync(join(CHART, 'values.schema.json'), 'utf8');
    expect(
      [...schema.matchAll(/"\$(ref|id)"\s*:\s*"([^"]*)"/g)].map((m) => m[2]).filter((ref) => !ref!.startsWith('#')),
    ).toEqual([]);
  });

  it('runs the image at package.json version, command worker, two replicas', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    expect(chart.appVersion).toBe(pkg.version);
    expect(worker(defaults).image).toBe(`fleetwave:${pkg.version}`);
    expect(worker(render({ image: { repository: 'registry.example/fleetwave', tag: '9.9.9' } })).image).toBe(
      'registry.example/fleetwave:9.9.9',
    );
    // The Dockerfile's ENTRYPOINT is the fleet CLI; `worker` is its command, as in docker-compose.yml.
    expect(worker(defaults).args).toEqual(['worker']);
    expect(only(defaults, 'Deployment').spec.replicas).toBe(2);
  });

  it("probes with the compose file's healthcheck, `node dist/worker-health.js`", () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: { worker: { healthcheck: { test: string[] } } };
    };
    const healthcheck = compose.services.worker.healthcheck.test.slice(1);
    expect(healthcheck).toEqual(['node', 'dist/worker-health.js']);
    expect(existsSync(join(ROOT, 'src', 'worker-health.ts'))).toBe(true);
    for (const [name, values] of Object.entries(valueSets)) {
      const container = worker(render(values));
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        expect(probe?.exec?.command, name).toEqual(healthcheck);
        // The check connects with a 5 s timeout, then asks twice.
        expect(probe?.timeoutSeconds, name).toBeGreaterThanOrEqual(10);
      }
    }
  });

  it.each([
    ['defaults', {}, 45],
    ['2m', { worker: { shutdownGraceTime: '2m' } }, 135],
    ['1500ms, rounded up', { worker: { shutdownGraceTime: '1500ms' } }, 17],
    ['an explicit 31 over 30s', { terminationGracePeriodSeconds: 31 }, 31],
  ])("gives the pod more time than the worker's shutdown grace: %s", (_name, values, expected) => {
    const manifests = render(values);
    const grace = envOf(worker(manifests), 'FLEET_WORKER_SHUTDOWN_GRACE_TIME')?.value;
    const graceMs = parseDuration(grace ?? '');
    expect(graceMs, `FLEET_WORKER_SHUTDOWN_GRACE_TIME ${grace}`).toBeDefined();
    const termination = only(manifests, 'Deployment').spec.template.spec.terminationGracePeriodSeconds as number;
    expect(termination).toBe(expected);
    expect(termination * 1000).toBeGreaterThan(graceMs!);
  });

  it.each([20, 30])('refuses terminationGracePeriodSeconds %i under a 30s shutdown grace', (seconds) => {
    expect(renderError({ terminationGracePeriodSeconds: seconds })).toContain(
      `terminationGracePeriodSeconds (${seconds}) must be more than worker.shutdownGraceTime (30s = 30 s)`,
    );
  });

  it('refuses a sticky timeout that is not a duration and a requireNamespace that is not a boolean, naming the field', () => {
    expect(renderError({ worker: { stickyTimeout: '60' } })).toContain("at '/worker/stickyTimeout'");
    // Not 'yes': values are written as YAML 1.2, where yes is a string, and Helm reads YAML 1.1, where it is true.
    expect(renderError({ worker: { requireNamespace: 'always' } })).toContain("at '/worker/requireNamespace'");
  });

  it('takes tokens from the Secret by reference only: secretKeyRef and envFrom, never a value', () => {
    for (const [name, values, secret] of [
      ['defaults', {}, 'fleetwave'],
      ['existingSecret', EXISTING, 'platform-tokens'],
    ] as const) {
      const container = worker(render(values));
      for (const variable of TOKEN_VARS) {
        const entry = envOf(container, variable);
        expect(entry?.value, `${name}: ${variable}`).toBeUndefined();
        expect(entry?.valueFrom?.secretKeyRef, `${name}: ${variable}`).toEqual({
          name: secret,
          key: variable,
          optional: true,
        });
      }
      expect(container.envFrom, name).toEqual([{ secretRef: { name: secret } }]);
    }
    // No Secret is made by the chart: it would need the tokens in values.
    expect(defaults.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it("writes no literal value for a secret's name, and only variables the worker reads", () => {
    for (const [name, values] of Object.entries(valueSets)) {
      const env = worker(render(values)).env ?? [];
      expect(
        env.filter((e) => SECRET_NAME.test(e.name) && e.value !== undefined).map((e) => e.name),
        name,
      ).toEqual([]);
      expect(
        env.map((e) => e.name).filter((variable) => !isWorkerEnvVar(variable)),
        name,
      ).toEqual([]);
    }
  });

  it('has no values field that takes a token, and refuses one typed in', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const paths = (node: unknown, prefix: string): string[] =>
      node && typeof node === 'object' && !Array.isArray(node)
        ? Object.entries(node).flatMap(([key, child]) => [`${prefix}${key}`, ...paths(child, `${prefix}${key}.`)])
        : [];
    // The Secret's name and the names of its keys; no field holds a token itself.
    const secretish = paths(values, '').filter((path) =>
      /token|secret|password|api.?key/i.test(path.split('.').pop()!),
    );
    expect(secretish.sort()).toEqual(
      [
        'imagePullSecrets',
        'secret',
        'secret.existingSecret',
        'secret.keys.aetherToken',
        'secret.keys.avisiToken',
        'secret.keys.temporalApiKey',
        'temporal.tls.clientCertSecret',
      ].sort(),
    );
    const keys = values.secret as { keys: Record<string, string> };
    for (const key of Object.values(keys.keys)) expect(key).toMatch(/^[A-Z_]+$/);
    // The schema refuses unknown keys, so a token has nowhere to go.
    expect(renderError({ avisiToken: FAKE_TOKEN })).toMatch(/additional properties 'avisiToken' not allowed/);
    expect(renderError({ platforms: { aether: { token: FAKE_TOKEN } } })).toMatch(
      /additional properties 'token' not allowed/,
    );
    expect(renderError({ secret: { aetherToken: FAKE_TOKEN } })).toMatch(
      /additional properties 'aetherToken' not allowed/,
    );
    expect(renderError({ extraEnv: [{ name: 'AETHER_API_TOKEN', value: FAKE_TOKEN }] })).toContain(
      'extraEnv: AETHER_API_TOKEN holds a secret',
    );
    expect(
      renderError({ extraEnv: [{ name: 'FLEET_NOTIFY_OPS_URL', value: `https://hooks.example/${FAKE_TOKEN}` }] }),
    ).toContain('put it in the Secret fleetwave');
    // Settings that are not secrets pass through.
    expect(
      envOf(
        worker(render({ extraEnv: [{ name: 'FLEET_NOTIFY_OPS_FORMAT', value: 'slack' }] })),
        'FLEET_NOTIFY_OPS_FORMAT',
      )?.value,
    ).toBe('slack');
  });

  it("sets the non-secret settings from values, the platform URLs defaulting to the worker's own", () => {
    const container = worker(defaults);
    const value = (name: string) => envOf(container, name)?.value;
    expect([
      value('TEMPORAL_ADDRESS'),
      value('TEMPORAL_NAMESPACE'),
      value('FLEET_TASK_QUEUE'),
      value('FLEET_LOG_LEVEL'),
    ]).toEqual(['temporal-frontend.temporal:7233', 'default', 'fleet-rollouts', 'info']);
    for (const d of PLATFORM_DESCRIPTORS) expect(value(d.env.url), d.env.url).toBe(d.defaults.apiUrl);
    // Unset tuning leaves the worker's defaults alone.
    expect(envOf(container, 'AETHER_API_RATE_PER_MINUTE')).toBeUndefined();
    expect(envOf(container, 'FLEET_WORKER_STICKY_TIMEOUT')).toBeUndefined();
    expect(envOf(container, 'FLEET_WORKER_REQUIRE_NAMESPACE')).toBeUndefined();
    const tuned = worker(
      render({
        platforms: { aether: { ratePerMinute: 60 } },
        worker: { maxConcurrentActivities: 200, stickyTimeout: '90s', requireNamespace: true },
      }),
    );
    const tunedValue = (name: string) => envOf(tuned, name)?.value;
    const names = [
      'AETHER_API_RATE_PER_MINUTE',
      'FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES',
      'FLEET_WORKER_STICKY_TIMEOUT',
      'FLEET_WORKER_REQUIRE_NAMESPACE',
    ];
    expect(names.map(tunedValue)).toEqual(['60', '200', '90s', 'true']);
  });

  it('mounts a client certificate Secret for mTLS and points the worker at its files', () => {
    const container = worker(
      render({ temporal: { tls: { enabled: true, clientCertSecret: 'fleetwave-mtls', serverCaKey: 'ca.crt' } } }),
    );
    expect(envOf(container, 'TEMPORAL_TLS_CLIENT_CERT_PATH')?.value).toBe('/etc/fleetwave/temporal-tls/tls.crt');
    expect(envOf(container, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH')?.value).toBe('/etc/fleetwave/temporal-tls/ca.crt');
    expect(container.volumeMounts).toContainEqual({
      name: 'temporal-tls',
      mountPath: '/etc/fleetwave/temporal-tls',
      readOnly: true,
    });
  });

  it("runs as the image's non-root user on a read-only root filesystem, with resources", () => {
    const pod = only(defaults, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const container = worker(defaults);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources?.limits).toMatchObject({ memory: expect.any(String) });
  });

  it('has a PodDisruptionBudget for more than one replica', () => {
    const pdb = only(defaults, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(only(defaults, 'Deployment').spec.selector.matchLabels);
    expect(render({ replicaCount: 1 }).filter((m) => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(renderError({ replicaCount: 2, podDisruptionBudget: { minAvailable: 2 } })).toContain(
      'podDisruptionBudget.minAvailable (2) must be below replicaCount (2)',
    );
  });

  it('serves metrics on 0.0.0.0 with a Service, and a ServiceMonitor only when enabled', () => {
    expect(defaults.filter((m) => m.kind === 'Service' || m.kind === 'ServiceMonitor')).toEqual([]);
    expect(envOf(worker(defaults), 'FLEET_METRICS_ADDRESS')).toBeUndefined();
    const withoutMonitor = render({ metrics: { enabled: true } });
    expect(withoutMonitor.map((m) => m.kind)).toContain('Service');
    expect(withoutMonitor.map((m) => m.kind)).not.toContain('ServiceMonitor');

    const manifests = render(METRICS);
    const container = worker(manifests);
    expect(envOf(container, 'FLEET_METRICS_ADDRESS')?.value).toBe('0.0.0.0:9464');
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    const service = only(manifests, 'Service');
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
    const monitor = only(manifests, 'ServiceMonitor');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints).toMatchObject([{ port: 'metrics', path: '/metrics' }]);
    for (const [label, value] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>))
      expect(service.metadata.labels?.[label], label).toBe(value);
    expect(renderError({ metrics: { enabled: false, serviceMonitor: { enabled: true } } })).toContain(
      'metrics.serviceMonitor.enabled needs metrics.enabled',
    );
  });
});
