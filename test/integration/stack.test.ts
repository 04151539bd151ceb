import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { Schema } from 'mongoose';
import { connectMongo } from '../../adapters/mongo';
import { createTemporalClient } from '../../adapters/temporal';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { echoWorkflow } from './fixtures/echoWorkflow';

// The local stack itself: `services:up` is idempotent, `services:down` stops only what `up`
// started, and what Temporal and FerretDB hold survives a restart.

jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../..');

function services(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['scripts/services.mjs', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('services:up a second time starts nothing', () => {
  const second = services(['up']);
  expect(second.status).toBe(0);
  for (const name of ['ferretdb', 'temporal', 'kafka']) expect(second.output).toMatch(new RegExp(`${name} already running`));
  expect(second.output).not.toMatch(/starting/);
});

test('a port held by another program is reported, not fought over', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => blocker.once('listening', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-port-'));
  try {
    const result = services(['up', 'ferretdb'], { DEALFLOW_DATA_DIR: dataDir, DEALFLOW_MONGO_PORT: String(port) });
    expect(result.status).toBe(1);
    expect(result.output).toContain(`port ${port} for ferretdb is taken by a process dealflow did not start`);
    expect(blocker.listening).toBe(true);
  } finally {
    blocker.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('data in Temporal and FerretDB survives down then up, and down leaves other processes alone', async () => {
  const config = testConfig();
  const logger = testLogger();
  const marker = `persist-${uniqueSuffix()}`;

  const mongo = await connectMongo(config, logger);
  const Probe = mongo.connection.model('PersistProbe', new Schema({ _id: String, note: String }, { collection: 'it_persist_probe' }));
  await Probe.create({ _id: marker, note: '长三角 survives restarts' });
  await mongo.close();

  const temporal = await createTemporalClient(config);
  // Nobody serves this task queue: the workflow stays running in Temporal's SQLite file.
  await temporal.client.workflow.start(echoWorkflow, {
    args: ['x'],
    taskQueue: `it-nobody-${marker}`,
    workflowId: marker,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
  await temporal.close();

  const bystander: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  try {
    const down = services(['down']);
    expect(down.status).toBe(0);
    expect(down.output).toMatch(/temporal stopped/);
    expect(down.output).toMatch(/ferretdb stopped/);
    expect(bystander.exitCode).toBeNull();
    expect(() => process.kill(bystander.pid as number, 0)).not.toThrow();

    const up = services(['up']);
    expect(up.status).toBe(0);
  } finally {
    bystander.kill();
  }

  const mongoAgain = await connectMongo(config, logger);
  const ProbeAgain = mongoAgain.connection.model('PersistProbe', new Schema({ _id: String, note: String }, { collection: 'it_persist_probe' }));
  expect((await ProbeAgain.findById(marker).lean())?.note).toBe('长三角 survives restarts');
  await ProbeAgain.deleteOne({ _id: marker });
  await mongoAgain.close();

  const temporalAgain = await createTemporalClient(config);
  const handle = temporalAgain.client.workflow.getHandle(marker);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.terminate('test finished');
  await temporalAgain.close();
});
