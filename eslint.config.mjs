// Lint: typescript-eslint (type-aware off for speed) + svelte, plus the layering rules of the architecture.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const noUiOrElectron = {
  paths: [
    { name: 'electron', message: 'The worker never imports Electron.' },
    { name: 'sharp', message: 'Compute modules run in the browser too: no Node libraries.' },
  ],
  patterns: [
    { group: ['**/*.svelte', '**/state/*', '**/components/*', '**/panels/*', '**/host/*', '**/i18n/*'], message: 'The worker and compute modules never import UI code.' },
    { group: ['**/electron/**'], message: 'The worker and compute modules never import main-process code.' },
    { group: ['node:*'], message: 'Compute modules run in the browser too: no Node APIs.' },
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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to the host only through HostApi.' },
            { name: 'sharp', message: 'The renderer talks to the host only through HostApi.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser: no Node APIs.' },
            { group: ['**/electron/**', '!**/electron/ipc-contract'], message: 'The renderer may import only the host contract from electron/.' },
          ],
        },
      ],
      // Plain Map/URL values here are not reactive state (registries, one-off URLs).
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
);
