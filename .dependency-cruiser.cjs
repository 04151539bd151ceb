// The architecture, checked in `npm test` (`npm run lint:architecture`): no import cycles, imports
// only down the layers, and a workflow bundle free of what Temporal's sandbox cannot or should not
// load. The layers, top to bottom:
//   tools/, scripts/, bench/        developer tools and entry points
//   services/{api,ops,worker,migrate}, services/{pipeline,process}.ts    the processes and their parts
//   workflows/                      the application workflow (deterministic, sandboxed)
//   activities/                     thin calls into the store and the adapters
//   services/store, services/events, the adapters (config, logger, mongo, kafka, temporal)
//   domain/                         pure rules
//   schemas/                        the shapes that cross a boundary
const PROCESSES = '^services/(api|ops|worker|migrate)/|^services/(pipeline|process)\\.ts$';
const STORE_AND_ADAPTERS = '^services/(store|events)/|^services/(config|logger|mongo|kafka|temporal|temporalClient|dependencies|tls)\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'An import cycle ties two rooms into one.', from: {}, to: { circular: true } },
    { name: 'schemas-import-nothing-above', severity: 'error', from: { path: '^schemas/' }, to: { path: '^(domain|activities|workflows|services|tools)/' } },
    { name: 'domain-is-pure', severity: 'error', from: { path: '^domain/' }, to: { path: '^(activities|workflows|services|tools)/' } },
    {
      name: 'store-and-adapters-below-activities',
      severity: 'error',
      from: { path: STORE_AND_ADAPTERS },
      to: { path: `^(activities|workflows|tools)/|${PROCESSES}` },
    },
    { name: 'activities-below-workflows', severity: 'error', from: { path: '^activities/' }, to: { path: `^(workflows|tools)/|${PROCESSES}` } },
    {
      name: 'workflows-reach-no-service',
      severity: 'error',
      comment: 'Workflows import activities by type only; services run outside the sandbox.',
      from: { path: '^workflows/' },
      to: { path: '^(services|tools|activities)/' },
    },
    { name: 'services-use-no-tools', severity: 'error', comment: 'The production image carries no tools/.', from: { path: '^services/' }, to: { path: '^tools/' } },
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
