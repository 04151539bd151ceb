import { createHash } from 'node:crypto';
import type { Models } from './models';

// A product's capacity is a set of numbered slots, one document each (`_id = productId#slot`).
// Reserving inserts a free slot; the unique `_id` makes two concurrent reservations of the same
// slot impossible, on FerretDB (no transactions) as on MongoDB. A hold (`_id = dealId`) then says
// which slot the deal has, so releasing deletes exactly that one.
//
// Every read and write is by `_id`: FerretDB 1.x reads the whole collection for any other filter,
// and this collection holds every open deal. A deal probes the slots in an order derived from its
// id, so a retried reservation walks the same slots and finds the one it took before.

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number }).code === 11000;

const slotId = (productId: string, slot: number): string => `${productId}#${slot}`;

/** Where a deal starts probing: spread over the slots, so deals of one product rarely collide. */
function firstSlot(dealId: string, capacity: number): number {
  return createHash('sha1').update(dealId).digest().readUInt32BE(0) % capacity;
}

export async function reserveCapacity(models: Models, productId: string, dealId: string, capacity: number, now: Date): Promise<boolean> {
  if (await models.capacityHolds.exists({ _id: dealId })) return true; // a retry of a reservation that went through
  const start = capacity > 0 ? firstSlot(dealId, capacity) : 0;
  for (let probe = 0; probe < capacity; probe += 1) {
    const slot = (start + probe) % capacity;
    if (await takeSlot(models, productId, slot, dealId, now)) {
      await holdSlot(models, productId, slot, dealId, now);
      return true;
    }
  }
  return false;
}

/** True when the slot is now this deal's: taken just now, or by an earlier attempt of this reservation. */
async function takeSlot(models: Models, productId: string, slot: number, dealId: string, now: Date): Promise<boolean> {
  const _id = slotId(productId, slot);
  const holder = await models.capacitySlots.findById(_id, { dealId: 1 }).lean();
  if (holder) return holder.dealId === dealId;
  try {
    await models.capacitySlots.create({ _id, productId, slot, dealId, reservedAt: now });
    return true;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Taken meanwhile, by another deal or by an overlapping attempt of this one.
    const winner = await models.capacitySlots.findById(_id, { dealId: 1 }).lean();
    return winner?.dealId === dealId;
  }
}

async function holdSlot(models: Models, productId: string, slot: number, dealId: string, now: Date): Promise<void> {
  try {
    await models.capacityHolds.create({ _id: dealId, productId, slot, reservedAt: now });
  } catch (error) {
    // An overlapping attempt of this reservation wrote the same hold.
    if (!isDuplicateKey(error)) throw error;
  }
}

/**
 * Frees the deal's slot, then its hold; a retry finds whatever is left. The slot is deleted only if
 * it still names this deal when read, so a late retry leaves alone a slot another deal took since
 * (two attempts of one release overlapping leave that check a round trip's window).
 */
export async function releaseCapacity(models: Models, dealId: string): Promise<void> {
  const hold = await models.capacityHolds.findById(dealId).lean();
  if (!hold) return;
  const _id = slotId(String(hold.productId), Number(hold.slot));
  const holder = await models.capacitySlots.findById(_id, { dealId: 1 }).lean();
  if (holder?.dealId === dealId) await models.capacitySlots.deleteOne({ _id });
  await models.capacityHolds.deleteOne({ _id: dealId });
}

/** Open deals per product: the slots taken. The one full read of the collection, cached by its callers. */
export async function openDealsByProduct(models: Models): Promise<Map<string, number>> {
  const slots = await models.capacitySlots.find({}, { productId: 1 }).lean();
  const counts = new Map<string, number>();
  for (const { productId } of slots) counts.set(productId as string, (counts.get(productId as string) ?? 0) + 1);
  return counts;
}
