#!/usr/bin/env node
// The deployment files, checked without a Docker engine or a cluster (a step of `npm test`):
//   - docker-compose.yml against the Compose specification's JSON schema (check-jsonschema's
//     vendored copy);
//   - the Helm chart: `helm lint --strict`, then `helm template` with the default values and with
//     every optional part on, each rendering validated against the Kubernetes schemas of the
//     oldest and a recent supported version (kubernetes-validate, which ships them), the
//     ServiceMonitor against the Prometheus Operator's (@kubernetes-models/prometheus-operator),
//     and every variable the pods set is one adapters/config.ts reads.
// The validators are PyPI packages, pinned, installed once into a virtualenv in the cache the
// local servers use; helm is built once by scripts/helm.mjs. No network once cached.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ensureHelm } from './helm.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chart = path.join(root, 'deploy', 'helm', 'dealflow');
const env = process.env;
const cacheDir = env.DEALFLOW_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'dealflow');

const validators = ['check-jsonschema==0.39.0', 'kubernetes-validate==1.37.0'];
// The chart's kubeVersion floor and a recent release.
const kubeVersions = ['1.27.0', '1.35.0'];
const valueSets = { defaults: [], 'all features': ['-f', path.join(chart, 'ci', 'all-features-values.yaml')] };
// The operations port of each process (contract, Operations).
const metricsPorts = { api: 9464, worker: 9465, projector: 9466 };

const failures = [];

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', cwd: root, ...options });
  if (result.error) throw result.error;
  return result;
}

function mustRun(label, cmd, args) {
  const result = run(cmd, args);
  if (result.status !== 0) {
    console.error(`${label}: failed\n${result.stdout}${result.stderr}`);
    process.exit(1);
  }
  return result.stdout;
}

function ensureValidators() {
  const venv = path.join(cacheDir, `deploy-check-venv-${validators.join('-').replace(/[^A-Za-z0-9.-]/g, '')}`);
  const bin = (name) => path.join(venv, 'bin', name);
  if (fs.existsSync(bin('kubernetes-validate')) && fs.existsSync(bin('check-jsonschema'))) return bin;
  console.log(`deploy check: installing ${validators.join(', ')} into ${venv} (first run only)`);
  mustRun('creating the virtualenv', 'python3', ['-m', 'venv', venv]);
  mustRun('installing the validators', bin('pip'), ['install', '--quiet', '--disable-pip-version-check', ...validators]);
  return bin;
}

/** What adapters/config.ts reads, from the source itself (it is TypeScript: tsx loads it). */
function configVariables() {
  const script = "import('./adapters/config.ts').then(({ default: m }) => console.log(JSON.stringify({ read: m.configVariables, required: m.deployedRequiredVariables })))";
  return JSON.parse(mustRun('reading adapters/config.ts', process.execPath, ['--import', 'tsx', '--eval', script]));
}

function checkPods(label, docs, config) {
  const workloads = docs.filter((doc) => doc.kind === 'Deployment' || doc.kind === 'Job');
  const components = workloads.map((doc) => doc.metadata.labels['app.kubernetes.io/component']).sort();
  if (components.join() !== 'api,migrate,projector,worker') failures.push(`${label}: workloads are ${components.join()}, not api, migrate, projector, worker`);
  for (const doc of workloads) {
    const component = doc.metadata.labels['app.kubernetes.io/component'];
    for (const container of doc.spec.template.spec.containers) {
      const names = (container.env ?? []).map((variable) => variable.name);
      const unknown = names.filter((name) => !config.read.includes(name));
      const missing = config.required.filter((name) => !names.includes(name));
      if (unknown.length > 0) failures.push(`${label}: ${component} sets ${unknown.join(', ')}, which adapters/config.ts does not read`);
      if (missing.length > 0) failures.push(`${label}: ${component} does not set ${missing.join(', ')}`);
      if (doc.kind !== 'Deployment') continue;
      const port = container.ports.find((p) => p.name === 'metrics')?.containerPort;
      const setPort = Number(container.env.find((variable) => variable.name === 'DEALFLOW_METRICS_PORT')?.value);
      if (port !== metricsPorts[component] || setPort !== port) failures.push(`${label}: ${component}'s operations port is ${port} (DEALFLOW_METRICS_PORT ${setPort}), not ${metricsPorts[component]}`);
      for (const [probe, pathName] of [['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']]) {
        const get = container[probe]?.httpGet;
        if (get?.path !== pathName || get?.port !== 'metrics') failures.push(`${label}: ${component}'s ${probe} is not ${pathName} on the metrics port`);
      }
    }
  }
}

const started = Date.now();
const helm = ensureHelm();
const bin = ensureValidators();

mustRun('docker-compose.yml against the Compose schema', bin('check-jsonschema'), ['--builtin-schema', 'vendor.compose-spec', 'docker-compose.yml']);

const config = configVariables();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-chart-'));
try {
  for (const [valuesLabel, valuesArgs] of Object.entries(valueSets)) {
    mustRun(`helm lint (${valuesLabel})`, helm, ['lint', '--strict', '--quiet', chart, ...valuesArgs]);
    for (const kubeVersion of kubeVersions) {
      const label = `chart with ${valuesLabel}, Kubernetes ${kubeVersion}`;
      const rendered = mustRun(`helm template (${label})`, helm, ['template', 'dealflow', chart, '--namespace', 'dealflow', '--kube-version', kubeVersion, ...valuesArgs]);
      const docs = parseAllDocuments(rendered).map((doc) => doc.toJS()).filter(Boolean);
      // The Kubernetes validator knows no custom resources: those go to their own models.
      const custom = docs.filter((doc) => doc.kind === 'ServiceMonitor');
      for (const doc of custom) {
        try {
          new ServiceMonitor(doc).validate();
        } catch (error) {
          failures.push(`${label}: ServiceMonitor ${doc.metadata?.name}: ${error.message}`);
        }
      }
      const file = path.join(outDir, `${valuesLabel.replace(/\W/g, '-')}-${kubeVersion}.yaml`);
      fs.writeFileSync(file, docs.filter((doc) => !custom.includes(doc)).map((doc) => JSON.stringify(doc)).join('\n---\n'));
      const result = run(bin('kubernetes-validate'), ['--strict', '--quiet', '--kubernetes-version', kubeVersion, file]);
      // A resource without a schema is a warning to the validator and a failure here.
      if (result.status !== 0 || /WARN|ERROR/.test(result.stdout + result.stderr)) failures.push(`${label}:\n${result.stdout}${result.stderr}`);
      checkPods(label, docs, config);
    }
  }
} finally {
  fs.rmSync(outDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`deploy check: ${failures.length} failure(s)\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`deploy check: compose file and chart valid (${((Date.now() - started) / 1000).toFixed(1)} s)`);
