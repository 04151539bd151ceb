import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariables, deployedRequiredVariables, loadConfig } from '../../../adapters/config';

// docker-compose.yml is not run here (no Docker engine): its shape is checked against the Compose
// schema by scripts/deployCheck.mjs; this checks what the schema cannot, that our three
// processes get a configuration adapters/config.ts accepts.

const root = path.resolve(__dirname, '../../..');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
}

const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const ours = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('dealflow:'));
/** The long-running ones: all but the one-shot migration. */
const running = ours.filter(([, service]) => !service.healthcheck?.disable);

/**
 * Compose's `${VAR}` and `${VAR:?message}`, each set to a value long enough for any secret (the
 * payload keys to a key list of one AES-256 key, a DEALFLOW_…_KEY to 32 bytes in base64), and
 * `${VAR:-default}`, left unset (its default): an optional setting must work both ways.
 */
function interpolate(value: string | number): string {
  return String(value).replace(/\$\{([A-Z0-9_]+)(:[-?])?([^}]*)\}/g, (_match, name: string, kind, rest: string) => {
    if (kind === ':-') return rest;
    const aesKey = Buffer.alloc(32, 7).toString('base64');
    if (name === 'DEALFLOW_PAYLOAD_KEYS') return `k1:${aesKey}`;
    return name.startsWith('DEALFLOW_') && name.endsWith('_KEY') ? aesKey : 'x'.repeat(40);
  });
}

describe('docker-compose.yml', () => {
  test('runs the migration, then the API, the worker and the ops projector, from the one image', () => {
    const commands = Object.fromEntries(ours.map(([name, service]) => [name, service.command?.at(-1)]));
    expect(commands).toEqual({
      migrate: 'services/migrate/main.js',
      api: 'services/api/server.js',
      worker: 'services/worker/main.js',
      'ops-projector': 'services/ops/main.js',
    });
    for (const [, service] of running) expect(service.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    for (const entry of Object.values(commands)) {
      expect(fs.existsSync(path.join(root, String(entry).replace(/\.js$/, '.ts')))).toBe(true);
    }
  });

  test.each(ours)('%s sets only variables the config reads, and every one a container needs', (_name, service) => {
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(value)]));
    expect(Object.keys(env).filter((key) => !configVariables.includes(key))).toEqual([]);
    expect(deployedRequiredVariables.filter((key) => !(key in env))).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
    expect(loadConfig(env).env).toBe('production');
  });

  test.each(running)('%s is probed on its own operations port', (_name, service) => {
    const port = String(service.environment?.DEALFLOW_METRICS_PORT);
    expect(service.healthcheck?.test?.join(' ')).toContain(`http://127.0.0.1:${port}/health/ready`);
  });

  test('every long-running service has a healthcheck and resource limits', () => {
    const missing = Object.entries(compose.services)
      .filter(([, service]) => !service.deploy?.resources?.limits?.memory || !service.deploy.resources.limits.cpus)
      .map(([name]) => name);
    expect(missing).toEqual([]);
    const unprobed = Object.entries(compose.services)
      .filter(([, service]) => !service.healthcheck?.test && !service.healthcheck?.disable)
      .map(([name]) => name);
    expect(unprobed).toEqual([]);
  });
});
