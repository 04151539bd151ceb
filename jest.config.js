// Each tier runs alone: `jest --selectProjects unit` needs no server at all.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// @fastify/static (under swagger-ui) requires content-disposition 3, which ships ESM only.
const apiTransform = { ...transform, '^.+/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

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
      transform: apiTransform,
      transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
    },
    {
      // Headless Chromium (Debian's `chromium` package, /usr/bin/chromium) against the web pages the API serves.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      transform: apiTransform,
      transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
    },
    {
      // Stops, kills and restarts the local services: run with --runInBand, never beside other tiers.
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      transform: apiTransform,
      transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
    },
  ],
};
