/**
 * Where the project's Go builds keep Go's state (src/devserver/go-env.ts): under
 * .fleetwave/go/ by default, the user's GOPATH, GOMODCACHE and GOCACHE (environment or
 * `go env -w`) when set; and, through a `go` that only records what it was given, that
 * an install hands exactly that to `go` and says beforehand what it downloads and where.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWithGo, GO_TOOLCHAIN, makeWritable, TemporalServerInstallError } from '../../src/devserver/go-build.js';
import { GO_STATE_DIR, goEnvironment, parseGoEnvFile } from '../../src/devserver/go-env.js';
import { STATE_DIR } from '../../src/devserver/temporal-cli.js';

const HOME = '/home/someone';
const base = { HOME, PATH: '/usr/bin:/bin' };

describe('goEnvironment', () => {
  it('puts GOPATH, the module cache (and so the toolchain) and the build cache under .fleetwave/go by default', () => {
    const { env, sources } = goEnvironment(base, { goEnvFile: {} });
    expect(GO_STATE_DIR).toBe(join(STATE_DIR, 'go'));
    expect(env).toMatchObject({
      GOPATH: GO_STATE_DIR,
      GOMODCACHE: join(GO_STATE_DIR, 'pkg', 'mod'),
      GOCACHE: join(GO_STATE_DIR, 'cache'),
    });
    expect(sources).toEqual({ GOPATH: 'fleetwave', GOMODCACHE: 'fleetwave', GOCACHE: 'fleetwave' });
    // Telemetry counters in the project, the user's go env file still read; the module cache deletable.
    expect(env).toMatchObject({
      XDG_CONFIG_HOME: join(GO_STATE_DIR, 'config'),
      GOENV: join(HOME, '.config', 'go', 'env'),
      GOFLAGS: '-modcacherw',
    });
    expect(Object.values(env).filter((value) => value?.startsWith(HOME))).toEqual([
      HOME,
      join(HOME, '.config', 'go', 'env'),
    ]);
  });

  it('honours GOMODCACHE, GOPATH and GOCACHE from the environment', () => {
    const { env, sources } = goEnvironment(
      { ...base, GOMODCACHE: '/ci/mod', GOPATH: '/ci/gopath', GOCACHE: '/ci/build' },
      { goEnvFile: {} },
    );
    expect(env).toMatchObject({ GOPATH: '/ci/gopath', GOMODCACHE: '/ci/mod', GOCACHE: '/ci/build' });
    expect(sources).toEqual({ GOPATH: 'environment', GOMODCACHE: 'environment', GOCACHE: 'environment' });
    // The user's module cache is left as Go makes it.
    expect(env.GOFLAGS).toBeUndefined();
  });

  it("derives the module cache from the user's GOPATH as Go does (its first entry), and keeps the default build cache", () => {
    const { env, sources } = goEnvironment({ ...base, GOPATH: '/work/go:/other/go' }, { goEnvFile: {} });
    expect(env).toMatchObject({
      GOPATH: '/work/go:/other/go',
      GOMODCACHE: '/work/go/pkg/mod',
      GOCACHE: join(GO_STATE_DIR, 'cache'),
    });
    expect(sources).toEqual({ GOPATH: 'environment', GOMODCACHE: 'GOPATH', GOCACHE: 'fleetwave' });
  });

  it('honours `go env -w` settings, the environment first', () => {
    const file = parseGoEnvFile('GOMODCACHE=/big/mod\nGOCACHE=/big/build\n# a comment\nGOFLAGS=-buildvcs=false\n');
    const { env, sources } = goEnvironment({ ...base, GOCACHE: '/env/build' }, { goEnvFile: file });
    expect(env).toMatchObject({ GOMODCACHE: '/big/mod', GOCACHE: '/env/build', GOPATH: GO_STATE_DIR });
    expect(sources).toEqual({ GOPATH: 'fleetwave', GOMODCACHE: 'go env file', GOCACHE: 'environment' });
  });

  it("keeps the user's GOFLAGS when it adds -modcacherw, and the user's GOENV", () => {
    expect(goEnvironment({ ...base, GOFLAGS: '-mod=mod' }, { goEnvFile: {} }).env.GOFLAGS).toBe('-mod=mod -modcacherw');
    expect(goEnvironment(base, { goEnvFile: { GOFLAGS: '-buildvcs=false' } }).env.GOFLAGS).toBe(
      '-buildvcs=false -modcacherw',
    );
    expect(goEnvironment({ ...base, GOFLAGS: '-modcacherw' }, { goEnvFile: {} }).env.GOFLAGS).toBe('-modcacherw');
    expect(goEnvironment({ ...base, GOENV: '/etc/go.env' }, { goEnvFile: {} }).env.GOENV).toBe('/etc/go.env');
    expect(goEnvironment({ ...base, XDG_CONFIG_HOME: '/xdg' }, { goEnvFile: {} }).env.GOENV).toBe('/xdg/go/env');
  });

  it('reads the go env file from disk when not given one', async () => {
    const home = await mkdtemp(join(tmpdir(), 'fleet-go-home-'));
    await writeFile(join(home, 'env'), 'GOMODCACHE=/from/file\n');
    expect(goEnvironment({ HOME: home, GOENV: join(home, 'env') }).env.GOMODCACHE).toBe('/from/file');
  });
});

const goOnPath = (() => {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  } catch {
    return undefined;
  }
})();

describe.runIf(goOnPath)('the real go with that environment', () => {
  it('reports the chosen locations and writes nothing under HOME (its telemetry counters included)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'fleet-go-home-'));
    const state = await mkdtemp(join(tmpdir(), 'fleet-go-state-'));
    const { env } = goEnvironment({ PATH: process.env.PATH, HOME: home, GOTOOLCHAIN: 'local' }, { stateDir: state });
    const reported = execFileSync('go', ['env', 'GOPATH', 'GOMODCACHE', 'GOCACHE'], { env, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(reported).toEqual([state, join(state, 'pkg', 'mod'), join(state, 'cache')]);
    execFileSync('go', ['version'], { env });
    expect(await readdir(home, { recursive: true })).toEqual([]);
  });
});

/** A `go` that records each call's arguments and Go variables, answers `version`, and fails `install`. */
async function recordingGo(): Promise<{ dir: string; calls: () => Promise<Array<Record<string, string>>> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-fake-go-'));
  const log = join(dir, 'calls.jsonl');
  const script = `#!/bin/sh
printf '{"args":"%s","GOPATH":"%s","GOMODCACHE":"%s","GOCACHE":"%s","GOTOOLCHAIN":"%s","XDG_CONFIG_HOME":"%s"}\\n' \\
  "$*" "$GOPATH" "$GOMODCACHE" "$GOCACHE" "$GOTOOLCHAIN" "$XDG_CONFIG_HOME" >> '${log}'
case "$1" in
  version) echo "go version go1.26.8 linux/amd64" ;;
  *) echo "fake go: no proxy here" >&2; exit 1 ;;
esac
`;
  await writeFile(join(dir, 'go'), script);
  await chmod(join(dir, 'go'), 0o755);
  const calls = async () =>
    (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
  return { dir, calls };
}

describe('buildWithGo', () => {
  it("runs go install with Go's state under .fleetwave/go, after saying what it downloads and where", async () => {
    const go = await recordingGo();
    const home = await mkdtemp(join(tmpdir(), 'fleet-go-home-'));
    const target = await mkdtemp(join(tmpdir(), 'fleet-go-install-'));
    const lines: string[] = [];
    const build = {
      what: 'thing 1.0',
      script: 'thing:install',
      version: '1.0',
      dir: join(target, 'v1.0'),
      packages: ['example.com/thing/cmd/thing@v1.0'],
      binaries: { thing: 'thing' },
      downloads: "the thing's modules (~1 MB)",
      duration: 'a moment',
      complete: () => Promise.resolve(false),
    };
    const error = await buildWithGo(build, {
      env: { PATH: go.dir, HOME: home },
      onProgress: (line) => lines.push(line),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalServerInstallError);
    expect((error as Error).message).toMatch(
      /go install example.com\/thing\/cmd\/thing@v1.0 failed \(exit 1\):\nfake go: no proxy here/,
    );

    const install = (await go.calls()).find((call) => call.args!.startsWith('install'));
    expect(install).toEqual({
      args: 'install example.com/thing/cmd/thing@v1.0',
      GOPATH: GO_STATE_DIR,
      GOMODCACHE: join(GO_STATE_DIR, 'pkg', 'mod'),
      GOCACHE: join(GO_STATE_DIR, 'cache'),
      GOTOOLCHAIN: GO_TOOLCHAIN,
      XDG_CONFIG_HOME: join(GO_STATE_DIR, 'config'),
    });
    const said = lines.join('\n');
    // The toolchain is named with its size, or as already there (a machine that has built before).
    expect(said).toMatch(
      new RegExp(
        `the ${GO_TOOLCHAIN} toolchain (\\(~75 MB download, ~255 MB unpacked\\)|is already there); the thing's modules \\(~1 MB\\)`,
      ),
    );
    expect(said).toContain(
      `modules and the toolchain go to ${join(GO_STATE_DIR, 'pkg', 'mod')} (fleetwave's default; set GOMODCACHE or GOPATH to use another)`,
    );
    // Nothing half-written stays: not the staging directory, not the install.
    expect(await readdir(target)).toEqual([]);
    expect(await readdir(home)).toEqual([]);
  });
});

describe('makeWritable', () => {
  it("gives the owner write permission under a read-only tree, as Go's module cache leaves it, and keeps the rest of each mode", async () => {
    const root = await mkdtemp(join(tmpdir(), 'fleet-readonly-'));
    await mkdir(join(root, 'bin'));
    await writeFile(join(root, 'bin', 'go'), '#!/bin/sh\n');
    await writeFile(join(root, 'README'), 'text');
    await chmod(join(root, 'bin', 'go'), 0o555);
    await chmod(join(root, 'README'), 0o444);
    await chmod(join(root, 'bin'), 0o555);
    await chmod(root, 0o555);
    await makeWritable(root);
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    expect([
      await mode(root),
      await mode(join(root, 'bin')),
      await mode(join(root, 'bin', 'go')),
      await mode(join(root, 'README')),
    ]).toEqual([0o755, 0o755, 0o755, 0o644]);
  });
});
