/**
 * The Helm chart's platform parts, written from the registry (`npm run chart:sync`):
 * the values schema's `platforms.<name>` and `secret.keys.<name>Token`, and
 * templates/_platforms.tpl (each platform's URL, rate, burst and token variables).
 * test/platforms/chart-sync.test.ts fails when the committed chart differs from what
 * this writes, so a platform added to the registry reaches the chart by this command.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlatformDescriptor } from './descriptor.js';

export const CHART_DIR = fileURLToPath(new URL('../../deploy/helm/fleetwave/', import.meta.url));
const SCHEMA = 'values.schema.json';
const TEMPLATE = join('templates', '_platforms.tpl');
const KEY_PATTERN = '^[-._a-zA-Z0-9]+$';

type Json = Record<string, unknown>;

/** The values key of a platform's token in the Secret: `avisiToken`. */
export const tokenKeyOf = (descriptor: PlatformDescriptor): string => `${descriptor.name}Token`;

function platformSchema(descriptor: PlatformDescriptor): Json {
  const { env, defaults } = descriptor;
  const nullable = (description: string, minimum: number) => ({ type: ['integer', 'null'], description, minimum });
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      apiUrl: {
        type: 'string',
        description: `${env.url}; absent: ${defaults.apiUrl}`,
        pattern: '^https?://',
        minLength: 8,
      },
      ratePerMinute: nullable(
        `${env.ratePerMinute} (all workers together; 0: no limit); null: the worker's default`,
        0,
      ),
      burst: nullable(`${env.burst}; null: the worker's default`, 1),
    },
  };
}

/** The schema with its platform parts replaced; everything else as it was. */
export function syncedSchema(schema: Json, descriptors: readonly PlatformDescriptor[]): Json {
  const properties = schema.properties as Record<string, Json>;
  const platforms = properties.platforms as Json & { properties: Record<string, Json> };
  const { httpTimeoutMs } = platforms.properties;
  // Every platform is optional: an absent one runs on its descriptor's defaults (the template writes them).
  const { required: _platformsRequired, ...platformsRest } = platforms;
  const secret = properties.secret as Json & {
    properties: Record<string, Json & { properties: Record<string, Json> }>;
  };
  const keys = secret.properties.keys!;
  const { temporalApiKey } = keys.properties;
  const { required: _keysRequired, ...keysRest } = keys;
  const tokenKeys = descriptors.map((d) => [
    tokenKeyOf(d),
    {
      type: 'string',
      description: `The Secret's key for ${d.env.token}; absent: ${d.env.token}`,
      pattern: KEY_PATTERN,
    },
  ]);
  return {
    ...schema,
    properties: {
      ...properties,
      platforms: {
        ...platformsRest,
        properties: { ...Object.fromEntries(descriptors.map((d) => [d.name, platformSchema(d)])), httpTimeoutMs },
      },
      secret: {
        ...secret,
        properties: {
          ...secret.properties,
          keys: {
            ...keysRest,
            properties: { ...Object.fromEntries(tokenKeys), temporalApiKey },
            required: ['temporalApiKey'],
          },
        },
      },
    },
  };
}

const quoted = (text: string): string => JSON.stringify(text);

/**
 * templates/_platforms.tpl: `fleetwave.platformEnv` (URLs, rates, bursts) and
 * `fleetwave.platformTokenKeys` (YAML: variable -> Secret key).
 */
export function platformsTemplate(descriptors: readonly PlatformDescriptor[]): string {
  const env = descriptors.flatMap((d) => [
    `{{- $${d.name} := index $platforms ${quoted(d.name)} | default dict }}`,
    `- name: ${d.env.url}`,
    `  value: {{ index $${d.name} "apiUrl" | default ${quoted(d.defaults.apiUrl)} | quote }}`,
    `{{- include "fleetwave.optionalEnv" (dict "vars" (dict ${quoted(d.env.ratePerMinute)} (index $${d.name} "ratePerMinute") ${quoted(d.env.burst)} (index $${d.name} "burst"))) }}`,
  ]);
  const tokens = descriptors.map(
    (d) => `${d.env.token}: {{ index $keys ${quoted(tokenKeyOf(d))} | default ${quoted(d.env.token)} | quote }}`,
  );
  return [
    '{{/* Written by `npm run chart:sync` from src/platforms/registry.ts: do not edit (test/platforms/chart-sync.test.ts checks it). */}}',
    '',
    '{{- define "fleetwave.platformEnv" -}}',
    '{{- $platforms := .Values.platforms | default dict }}',
    ...env,
    '{{- end }}',
    '',
    '{{- define "fleetwave.platformTokenKeys" -}}',
    '{{- $keys := .Values.secret.keys | default dict }}',
    ...tokens,
    '{{- end }}',
    '',
  ].join('\n');
}

/** The chart's platform files as they should be: path (relative to the chart) -> text. */
export function chartFiles(descriptors: readonly PlatformDescriptor[], dir = CHART_DIR): Record<string, string> {
  const schema = JSON.parse(readFileSync(join(dir, SCHEMA), 'utf8')) as Json;
  return {
    [SCHEMA]: `${JSON.stringify(syncedSchema(schema, descriptors), null, 2)}\n`,
    [TEMPLATE]: platformsTemplate(descriptors),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { PLATFORM_DESCRIPTORS } = await import('./registry.js');
  for (const [path, text] of Object.entries(chartFiles(PLATFORM_DESCRIPTORS)))
    writeFileSync(join(CHART_DIR, path), text);
  console.log(`chart synced with ${PLATFORM_DESCRIPTORS.map((d) => d.name).join(', ')}`);
}
