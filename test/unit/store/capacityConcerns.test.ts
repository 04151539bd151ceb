import { openDealsByProduct, releaseCapacity, reserveCapacity } from '../../../store/capacity';
import type { Models } from '../../../store/models';
import { asModels, memoryModels, type MemoryCollection } from '../activities/memoryModels';

// On a replica set a slot must be taken and read with majority concerns (store/capacity.ts). The
// in-memory collections ignore the options, as FerretDB on one node does; this records them.

const WRITES = new Set(['insertOne', 'insertMany', 'replaceOne', 'updateOne', 'deleteOne']);
const READS = new Set(['findOne', 'find']);

interface Call {
  collection: string;
  method: string;
  options: unknown;
}

function recordedModels(): { models: Models; calls: Call[] } {
  const memory = memoryModels();
  const calls: Call[] = [];
  const record = (name: 'capacitySlots' | 'capacityHolds') => {
    const model = memory[name];
    model.collection = new Proxy(model.collection, {
      get(target, method) {
        const member = Reflect.get(target, method, target) as unknown;
        if (typeof member !== 'function') return member;
        return (...args: unknown[]) => {
          // Options follow the filter (reads, deletes) or the filter and the document (inserts take the document first).
          const options = method === 'insertOne' ? args[1] : method === 'find' || method === 'findOne' || method === 'deleteOne' ? args[1] : args[2];
          calls.push({ collection: name, method: String(method), options });
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as MemoryCollection;
  };
  record('capacitySlots');
  record('capacityHolds');
  return { models: asModels(memory), calls };
}

test('capacity slots and holds are written with a majority write concern and read with a majority read concern', async () => {
  const { models, calls } = recordedModels();
  const now = new Date('2026-11-02T00:00:00Z');
  expect(await reserveCapacity(models, 'p-1', 'deal-1', 1, now)).toBe(true);
  expect(await reserveCapacity(models, 'p-1', 'deal-1', 1, now)).toBe(true); // a retry finds its hold
  expect(await reserveCapacity(models, 'p-1', 'deal-2', 1, now)).toBe(false); // full: probes, then drops its hold
  expect(await openDealsByProduct(models)).toEqual(new Map([['p-1', 1]]));
  await releaseCapacity(models, 'deal-1');

  const writes = calls.filter((call) => WRITES.has(call.method));
  const reads = calls.filter((call) => READS.has(call.method));
  expect(writes.map((call) => call.method)).toEqual(expect.arrayContaining(['insertOne', 'replaceOne', 'deleteOne']));
  expect(reads.map((call) => call.method)).toEqual(expect.arrayContaining(['findOne', 'find']));
  for (const call of writes) expect(call).toMatchObject({ options: { writeConcern: { w: 'majority' } } });
  for (const call of reads) expect(call).toMatchObject({ options: { readConcern: { level: 'majority' } } });
});
