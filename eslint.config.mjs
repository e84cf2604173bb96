// Lint: typescript-eslint (type-aware off for speed) + svelte, plus the layering rules of the architecture.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const noUiOrElectron = {
  patterns: [
    { group: ['**/*.svelte', '**/state/*', '**/components/*', '**/panels/*', '**/host/*'], message: 'The worker and compute modules never import UI code.' },
    { group: ['electron', '**/electron/**', '!**/electron/ipc-contract'], message: 'The worker and compute modules never import Electron or main-process code.' },
    { group: ['node:*', 'fs', 'path', 'sharp'], message: 'Compute modules run in the browser too: no Node APIs.' },
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
  { files: ['renderer/worker/**/*.ts'], rules: { 'no-restricted-imports': ['error', noUiOrElectron] } },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['renderer/worker/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['electron', 'sharp', 'node:*'], message: 'The renderer talks to the host only through HostApi.' }] }] },
  },
);
