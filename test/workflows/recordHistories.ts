import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { historyToJson } from './historyJson';
import { scenarios } from './scenarios';
import { createHarness } from './support';

// Regenerates test/workflows/histories/<scenario>.json from runs in the time-skipping environment:
//   npx tsx test/workflows/recordHistories.ts [scenario ...]
// Rerun it only for a deliberate, versioned change of the workflow; the replay test exists to
// catch the accidental ones against the histories already saved.

const HISTORIES_DIR = path.resolve(__dirname, 'histories');

async function main(only: string[]): Promise<void> {
  const chosen = only.length > 0 ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  if (chosen.length === 0) throw new Error(`no scenario named ${only.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  await mkdir(HISTORIES_DIR, { recursive: true });
  const h = await createHarness();
  try {
    for (const scenario of chosen) {
      const app = await scenario.run(h);
      const outcome = await app.handle.result();
      const history = await app.handle.fetchHistory();
      const file = path.join(HISTORIES_DIR, `${scenario.name}.json`);
      await writeFile(file, `${JSON.stringify(JSON.parse(historyToJson(history)), null, 2)}\n`);
      console.log(`${scenario.name}: ${outcome.status}, ${history.events?.length ?? 0} history events -> ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    await h.teardown();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
