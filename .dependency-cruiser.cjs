// The architecture, checked in `npm test` (`npm run lint:architecture`): no import cycles, imports
// only down the layers, and a workflow bundle free of what Temporal's sandbox cannot or should not
// load. The layers, top to bottom:
//   tools/, scripts/, bench/        developer tools and entry points
//   services/                       the long-lived processes (api, worker, ops, migrate) and their parts
//   workflows/                      the application and forum workflows (deterministic, sandboxed)
//   activities/                     thin calls into the store and the adapters
//   store/, adapters/               MongoDB reads and writes; config, logger, Temporal, Kafka, events
//   domain/                         pure rules
//   schemas/                        the shapes that cross a boundary
const ABOVE_SCHEMAS = 'domain|store|adapters|activities|workflows|services|tools';

module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'An import cycle ties two rooms into one.', from: {}, to: { circular: true } },
    { name: 'schemas-import-nothing-above', severity: 'error', from: { path: '^schemas/' }, to: { path: `^(${ABOVE_SCHEMAS})/` } },
    { name: 'domain-is-pure', severity: 'error', from: { path: '^domain/' }, to: { path: '^(store|adapters|activities|workflows|services|tools)/' } },
    { name: 'store-and-adapters-below-activities', severity: 'error', from: { path: '^(store|adapters)/' }, to: { path: '^(activities|workflows|services|tools)/' } },
    { name: 'activities-below-workflows', severity: 'error', from: { path: '^activities/' }, to: { path: '^(workflows|services|tools)/' } },
    {
      name: 'workflows-reach-no-service',
      severity: 'error',
      comment: 'Workflows import activities by type only; the store, the adapters and the processes run outside the sandbox.',
      from: { path: '^workflows/' },
      to: { path: '^(services|store|adapters|tools|activities)/' },
    },
    { name: 'production-uses-no-tools', severity: 'error', comment: 'The production image carries no tools/.', from: { path: '^(services|store|adapters)/' }, to: { path: '^tools/' } },
    {
      name: 'workflow-bundle-is-lean',
      severity: 'error',
      comment: 'Temporal evaluates every module a workflow imports again per workflow, in a sandbox without Node built-ins (README: "No zod in the workflow bundle").',
      from: { path: '^workflows/index\\.ts$' },
      to: { reachable: true, path: '(^|/)node_modules/(zod|mongoose|kafkajs|pino|@temporalio/(client|worker))/' },
    },
    {
      name: 'workflow-bundle-has-no-node-builtins',
      severity: 'error',
      from: { path: '^workflows/index\\.ts$' },
      to: { reachable: true, path: `^(node:)?(${require('node:module').builtinModules.join('|')})$` },
    },
  ],
  options: {
    // Type-only imports vanish when compiled: the rules are about what runs.
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.data|test-output|coverage)/' },
    moduleSystems: ['cjs', 'es6'],
  },
};
