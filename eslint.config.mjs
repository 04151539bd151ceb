import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // CommonJS by definition (a jest reporter, the dependency-cruiser config).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web pages: ES modules run by the browser.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly', localStorage: 'readonly', fetch: 'readonly', crypto: 'readonly', atob: 'readonly', Node: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', FormData: 'readonly', Intl: 'readonly',
        TextDecoderStream: 'readonly', AbortController: 'readonly', URLSearchParams: 'readonly', location: 'readonly', window: 'readonly',
        XMLHttpRequest: 'readonly',
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Rules that need the types: a promise nobody awaits or handles loses its failure silently.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Workflow code must be deterministic: no Node built-ins, no clients, no environment.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process'], message: 'Workflow code may not use Node built-ins.' },
          { group: ['kafkajs', 'mongoose', 'pino', '@temporalio/client', '@temporalio/worker', '../services/*', '../store/*', '../adapters/*', '../activities/*'], message: 'Workflow code may not touch clients or services; import activity types only.', allowTypeImports: true },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'Workflow code may not read process.env.' }],
    },
  },
);
