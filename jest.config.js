// Each tier runs alone: `jest --selectProjects unit` needs no server at all.
// Packages that ship ESM only, compiled to CommonJS for jest like our own code: content-disposition 3
// (required by @fastify/static under swagger-ui) and file-type 21 with its dependencies (adapters/fileType.ts).
const esmOnly = ['content-disposition', 'file-type', 'strtok3', 'token-types', '@tokenizer', 'uint8array-extras', '@borewit'];
const esmOnlyFiles = `^.+/node_modules/(${esmOnly.join('|')})/.+\\.js$`;
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  [esmOnlyFiles]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`] };

// The AWS SDK warns once per process on Node 20 that its releases after January 2027 need Node 22;
// the pinned version (package.json) runs on 20. Said in README, not in every test's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = {
  // Logs of the code under test go to test-output/logs/; this prints them for a failed test file only.
  reporters: ['default', '<rootDir>/test/support/failedTestLogs.cjs'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'workflows', testMatch: ['<rootDir>/test/workflows/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    {
      ...common,
      displayName: 'api',
      testMatch: ['<rootDir>/test/api/**/*.test.ts'],
          },
    {
      // Headless Chromium (Debian's `chromium` package, /usr/bin/chromium) against the web pages the API serves.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
          },
    {
      // Stops, kills and restarts the local services: run with --runInBand, never beside other tiers.
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
          },
  ],
};
