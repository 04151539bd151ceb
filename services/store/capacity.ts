import type { Models } from './models';

// A product's capacity is a set of numbered slots, one document each (`_id = productId#slot`).
// Reserving inserts the first free slot; the unique `_id` makes two concurrent reservations of the
// same slot impossible, on FerretDB (no transactions) as on MongoDB. Releasing deletes the deal's
// slot. Both are safe to retry.

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number }).code === 11000;

export async function reserveCapacity(models: Models, productId: string, dealId: string, capacity: number, now: Date): Promise<boolean> {
  if (await models.capacitySlots.exists({ dealId })) return true; // a retry of a reservation that went through
  const held = await models.capacitySlots.find({ productId }, { slot: 1 }).lean();
  const taken = new Set(held.map((doc) => doc.slot as number));
  for (let slot = 0; slot < capacity; slot += 1) {
    if (taken.has(slot)) continue;
    try {
      await models.capacitySlots.create({ _id: `${productId}#${slot}`, productId, slot, dealId, reservedAt: now });
    } catch (error) {
      if (isDuplicateKey(error)) continue; // someone else took it meanwhile: try the next one
      throw error;
    }
    await dropExtraSlots(models, dealId);
    return true;
  }
  return false;
}

// Two overlapping attempts of one reservation (a timed-out attempt still running while its retry
// starts) could each take a slot; keep the lowest.
async function dropExtraSlots(models: Models, dealId: string): Promise<void> {
  const mine = await models.capacitySlots.find({ dealId }, { slot: 1 }).lean();
  if (mine.length <= 1) return;
  const keep = Math.min(...mine.map((doc) => doc.slot as number));
  for (const doc of mine) if (doc.slot !== keep) await models.capacitySlots.deleteOne({ _id: doc._id, dealId });
}

export async function releaseCapacity(models: Models, dealId: string): Promise<void> {
  await models.capacitySlots.deleteMany({ dealId });
}

export async function openDealsByProduct(models: Models): Promise<Map<string, number>> {
  const slots = await models.capacitySlots.find({}, { productId: 1 }).lean();
  const counts = new Map<string, number>();
  for (const { productId } of slots) counts.set(productId as string, (counts.get(productId as string) ?? 0) + 1);
  return counts;
}
