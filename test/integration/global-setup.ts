/**
 * One real Temporal dev server for the whole integration run (the project's pinned
 * CLI, installed into .fleetwave/ if needed), with its Web UI on a free loopback port
 * for the browser test. Test files get its address through `inject('temporalAddress')`
 * (the UI's through `inject('temporalUiUrl')`) and each uses its own task queue.
 */
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server.js';

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({
    ui: true,
    onLog: (line) => /level=(ERROR|FATAL)/.test(line) && console.error(`[temporal] ${line}`),
  });
  if (!server.uiUrl) throw new Error('the Temporal dev server started without its Web UI');
  console.log(
    `[integration] Temporal dev server ${server.address} (namespace ${server.namespace}), Web UI ${server.uiUrl}`,
  );
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('temporalUiUrl', server.uiUrl);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    temporalUiUrl: string;
  }
}
