/**
 * One real Temporal dev server for the whole integration run (the project's pinned
 * CLI, installed into .fleetwave/ if needed). Test files get its address through
 * `inject('temporalAddress')` and each uses its own task queue.
 */
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server.js';

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({ onLog: (line) => /level=(ERROR|FATAL)/.test(line) && console.error(`[temporal] ${line}`) });
  console.log(`[integration] Temporal dev server ${server.address} (namespace ${server.namespace})`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}
