// Lint rules: typescript-eslint's recommended set, plus the one rule that keeps
// workflow code deterministic: no Node built-ins, no HTTP, no activity/worker/client
// packages inside src/workflows (the SDK bundler would reject them at run time; we
// want the error at lint time). No formatting rules: Prettier formats (.prettierrc.json).
// Of the rules eslint-config-prettier turns off, only no-unexpected-multiline is on here,
// a "special rule" it lets stay; `eslint .` passes on the prettier-formatted tree.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const forbiddenInWorkflows = [
  {
    group: ['node:*', 'fs', 'path', 'os', 'http', 'https', 'net', 'crypto', 'child_process'],
    message: 'Workflow code must stay deterministic: no Node built-ins.',
  },
  {
    group: [
      'got',
      'fastify',
      'pino',
      '@temporalio/activity',
      '@temporalio/worker',
      '@temporalio/client',
      '@temporalio/testing',
    ],
    message: 'Workflow code may not do I/O or import worker/client packages.',
  },
  {
    // Workflow files sit one to three folders below src/workflows/.
    group: ['activities', 'platforms', 'simulator', 'cli'].flatMap((layer) =>
      ['../', '../../', '../../../'].map((up) => `${up}${layer}/*`),
    ),
    message: 'Workflows import only domain code and activity types (use `import type`).',
    allowTypeImports: true,
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.fleetwave/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: forbiddenInWorkflows }] },
  },
  // The house rules of docs/development.md: small files with one job, workflow code a screen long.
  { files: ['src/**/*.ts'], rules: { 'max-lines': ['error', { max: 300 }] } },
  { files: ['src/workflows/**/*.ts'], rules: { 'max-lines-per-function': ['error', { max: 80 }] } },
);
