// Lint: typescript-eslint (type-aware off for speed) + svelte, plus the layering rules of the architecture.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

// Feature compute and core run in the worker, in the browser page and in Node: no UI, no Electron, no node:*.
const computeRules = {
  paths: [
    { name: 'electron', message: 'Compute and core never import Electron.' },
    { name: 'sharp', message: 'Compute modules run in the browser too: no Node libraries.' },
  ],
  patterns: [
    { group: ['**/*.svelte', '**/ui/**', '**/app/**', '**/host/**', '**/*-messages', '**/*-messages.ts'], message: 'Compute and core never import UI code.' },
    { group: ['**/electron/**', '**/services/**', '**/cli/**', '**/web-server/**', '**/*-command', '**/*-command.ts'], message: 'Compute and core never import main-process, CLI or server code.' },
    { group: ['node:*'], message: 'Compute modules run in the browser too: no Node APIs.' },
  ],
};

// The UI (app shell, panels, hosts) runs in a browser page: it reaches the host only through the host contract.
const uiRules = {
  paths: [
    { name: 'electron', message: 'The renderer talks to the host only through HostApi.' },
    { name: 'sharp', message: 'The renderer talks to the host only through HostApi.' },
  ],
  patterns: [
    { group: ['node:*'], message: 'The renderer runs in a browser: no Node APIs.' },
    { group: ['**/electron/**', '**/services/**', '**/cli/**', '**/web-server/**', '**/*-command', '**/*-command.ts'], message: 'The renderer may import only the host contract, not main-process, CLI or server code.' },
  ],
};

export default ts.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.cache/**', 'test-results/**', 'build/**'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src/core/**/*.ts', 'src/*/compute/**/*.ts', 'src/compute/contract.ts', 'src/compute/worker.ts', 'src/compute/backend.ts'],
    rules: { 'no-restricted-imports': ['error', computeRules] },
  },
  {
    files: ['src/app/**/*.ts', 'src/app/**/*.svelte', 'src/host/**/*.ts', 'src/*/ui/**/*.ts', 'src/*/ui/**/*.svelte', 'src/*/*-messages.ts', 'src/compute/compute-client.ts'],
    rules: {
      'no-restricted-imports': ['error', uiRules],
      // Plain Map/URL values here are not reactive state (registries, one-off URLs).
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
);
