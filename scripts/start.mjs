#!/usr/bin/env node
// Runs dealflow on this machine: the local stack, the store migration, a seeded catalogue on first run, then the
// worker, the ops consumer and the API as child processes. Ctrl-C stops the three processes;
// the stack keeps running (`npm run services:down` stops it).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT || '3000';
const uiPort = process.env.DEALFLOW_TEMPORAL_UI_PORT || '8233';
// The development secret, payload key and token route need NODE_ENV said explicitly (adapters/config.ts).
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' };

function runOrExit(title, args) {
  console.log(`dealflow: ${title}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`dealflow: ${title} failed`);
    process.exit(result.status ?? 1);
  }
}

runOrExit('starting the local services (the first run builds them: several minutes)', ['scripts/services.mjs', 'up']);
// The processes only check the store's version; the migration runs once, first (as the Helm chart's Job does).
runOrExit('migrating the store', ['--import', 'tsx', 'services/migrate/main.ts']);
runOrExit('seeding the catalogue if the database is empty', ['--import', 'tsx', 'scripts/seed.ts', '--if-empty']);

// The API's young generation is capped as in the image (Dockerfile): see BENCHMARKS.md, memory.
const children = [
  ['worker', 'services/worker/main.ts', []],
  ['ops', 'services/ops/main.ts', []],
  ['api', 'services/api/server.ts', ['--max-semi-space-size=4']],
].map(([name, entry, nodeFlags]) => {
  // `node --import tsx` keeps each one a single process, so a signal reaches it directly.
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], { cwd: root, stdio: 'inherit', env: { ...env, PORT: port } });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`dealflow: ${name} exited (${signal ?? code}); stopping the others`);
      stop(1);
    }
  });
  return child;
});

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitReady() {
  for (let i = 0; i < 240; i += 1) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

if (await waitReady()) {
  console.log(`
dealflow is running
  API          http://127.0.0.1:${port}/v1
  API docs     http://127.0.0.1:${port}/docs
  Web pages    http://127.0.0.1:${port}/
  Temporal UI  http://127.0.0.1:${uiPort}
  Tokens       npm run token -- --role ops   (or --role enterprise --org <uscc>, --role institution --org <id>)
Ctrl-C stops the worker, the ops consumer and the API; npm run services:down stops the stack.
`);
} else {
  console.error('dealflow: the API did not become ready within 2 minutes');
  stop(1);
}
