import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../adapters/config';
import { createApiClient } from '../tools/demo/http';
import { planForums, seedForums } from '../tools/seed/forums';
import { generateSeed } from '../tools/seed/generate';

// `npm run seed:forums -- [--api http://127.0.0.1:3000]`: the summit's six forums with registrations
// from the seeded catalogue (`npm run seed` first), through the API of a running dealflow.
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { api: { type: 'string', default: 'http://127.0.0.1:3000' } } });
  const config = loadConfig();
  const api = createApiClient({ baseUrl: values.api, jwt: config.jwt, concurrency: 8 });
  const result = await seedForums(api, planForums(generateSeed(), Date.now()));
  console.log(`forums created ${result.forums}, registrations ${result.registrations}`);
  for (const { path, status } of result.refused) console.log(`  refused ${status} ${path}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`dealflow-seed-forums: ${error.message}`);
  else console.error('dealflow-seed-forums: failed', error);
  process.exit(1);
});
