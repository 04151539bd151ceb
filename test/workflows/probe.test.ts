import { createHarness, read, type Harness } from './support';
import { ENV_SETUP_TIMEOUT_MS } from './testEnv';
let h: Harness;
beforeAll(async () => { h = await createHarness(); }, ENV_SETUP_TIMEOUT_MS);
afterAll(async () => { await h?.teardown(); });
test('probe', async () => {
  const app = await h.start();
  await new Promise((r) => setTimeout(r, 3000));
  const s = await read(app);
  console.log(JSON.stringify(s.application.status), s.timeline.map((e) => e.type));
  const d = await app.handle.describe();
  console.log(d.status.name, JSON.stringify(d.typedSearchAttributes), d.searchAttributes);
  const hist = await app.handle.fetchHistory();
  console.log(hist.events?.filter((e) => e.workflowTaskFailedEventAttributes).map((e) => JSON.stringify(e.workflowTaskFailedEventAttributes?.failure?.message)));
}, 60000);
