#!/usr/bin/env node
// Helm, pinned, built once from the Go module proxy into the same cache as the local servers
// (scripts/services.mjs), then run with the given arguments:
//
//   node scripts/helm.mjs template deploy/helm/dealflow
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELM_VERSION = 'v3.22.0';

const env = process.env;
const cacheDir = env.DEALFLOW_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'dealflow');
export const helmBin = path.join(cacheDir, 'bin', `helm-${HELM_VERSION}`, 'helm');

/** The path of the pinned helm binary, built first if the cache has none. */
export function ensureHelm() {
  if (fs.existsSync(helmBin)) return helmBin;
  const log = path.join(cacheDir, 'logs', 'build-helm.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  console.log(`helm: building ${HELM_VERSION} from the Go module proxy (first run only; log: ${log})`);
  const out = fs.openSync(log, 'a');
  const result = spawnSync('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    cwd: os.tmpdir(),
    stdio: ['ignore', out, out],
    env: { ...env, GOBIN: path.dirname(helmBin), GOFLAGS: '-buildvcs=false' },
  });
  fs.closeSync(out);
  if (result.error) throw new Error(`cannot run go (${result.error.message}); install Go 1.24 or newer`);
  if (result.status !== 0 || !fs.existsSync(helmBin)) throw new Error(`building helm failed; see ${log}`);
  return helmBin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = spawnSync(ensureHelm(), process.argv.slice(2), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
