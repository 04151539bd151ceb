import { createHash } from 'node:crypto';
import { collectionOf, isDuplicateKey, upsertById } from './collection';
import type { Models } from './models';

// A product's capacity is a set of numbered slots, one document each (`_id = productId#slot`).
// Reserving inserts a free slot; the unique `_id` makes two concurrent reservations of the same
// slot impossible, on FerretDB (no transactions) as on MongoDB. A hold (`_id = dealId`) names the
// slot a deal is taking, written before the slot is: whichever attempt of a reservation dies
// wherever, the deal's slot is the one its hold names, so releasing frees exactly that one.
//
// Every read and write is by `_id`: FerretDB 1.x reads the whole collection for any other filter,
// and this collection holds every open deal. They go through the driver's collection (see models.ts). A deal probes the slots in an order derived from its
// id, so deals of one product rarely try the same slot and a retry walks the same way.

//
// On a replica set every slot and hold is written with a majority write concern and read with a
// majority read concern: a slot acknowledged by a primary that then loses an election could be
// rolled back and taken twice, and a read from a primary about to step down could miss one. (FerretDB
// on one node accepts and ignores both.)

/** The options of every write of capacity.ts. */
export const CAPACITY_WRITE = { writeConcern: { w: 'majority' } } as const;
/** The options of every read of capacity.ts. */
export const CAPACITY_READ = { readConcern: { level: 'majority' } } as const;

const slotId = (productId: string, slot: number): string => `${productId}#${slot}`;

function firstSlot(dealId: string, capacity: number): number {
  return createHash('sha1').update(dealId).digest().readUInt32BE(0) % capacity;
}

export async function reserveCapacity(models: Models, productId: string, dealId: string, capacity: number, now: Date): Promise<boolean> {
  const holds = collectionOf(models.capacityHolds);
  const hold = await holds.findOne({ _id: dealId }, CAPACITY_READ);
  if (hold && (await slotHolder(models, productId, Number(hold.slot))) === dealId) return true; // a retry of a reservation that went through
  const start = capacity > 0 ? firstSlot(dealId, capacity) : 0;
  for (let probe = 0; probe < capacity; probe += 1) {
    const slot = (start + probe) % capacity;
    await upsertById(holds, dealId, { productId, slot, reservedAt: now }, CAPACITY_WRITE);
    if (await takeSlot(models, productId, slot, dealId, now)) return true;
  }
  await holds.deleteOne({ _id: dealId }, CAPACITY_WRITE);
  return false;
}

/** True when the slot is now this deal's: taken just now, or by an overlapping attempt of this reservation. */
async function takeSlot(models: Models, productId: string, slot: number, dealId: string, now: Date): Promise<boolean> {
  try {
    // Insert first: a free slot, the usual case, then costs one round trip.
    await collectionOf(models.capacitySlots).insertOne({ _id: slotId(productId, slot), productId, slot, dealId, reservedAt: now }, CAPACITY_WRITE);
    return true;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return (await slotHolder(models, productId, slot)) === dealId;
  }
}

async function slotHolder(models: Models, productId: string, slot: number): Promise<string | null> {
  const doc = await collectionOf(models.capacitySlots).findOne({ _id: slotId(productId, slot) }, { projection: { dealId: 1 }, ...CAPACITY_READ });
  return doc ? String(doc.dealId) : null;
}

/**
 * Frees the deal's slot, then its hold; a retry finds whatever is left. The slot is deleted only if
 * it still names this deal when read, so a late retry leaves alone a slot another deal took since
 * (two attempts of one release overlapping leave that check a round trip's window).
 */
export async function releaseCapacity(models: Models, dealId: string): Promise<void> {
  const holds = collectionOf(models.capacityHolds);
  const hold = await holds.findOne({ _id: dealId }, CAPACITY_READ);
  if (!hold) return;
  if ((await slotHolder(models, String(hold.productId), Number(hold.slot))) === dealId) {
    await collectionOf(models.capacitySlots).deleteOne({ _id: slotId(String(hold.productId), Number(hold.slot)) }, CAPACITY_WRITE);
  }
  await holds.deleteOne({ _id: dealId }, CAPACITY_WRITE);
}

/** Open deals per product: the slots taken. The one full read of the collection, cached by its callers. */
export async function openDealsByProduct(models: Models): Promise<Map<string, number>> {
  const slots = await collectionOf(models.capacitySlots).find({}, { projection: { productId: 1 }, ...CAPACITY_READ }).toArray();
  const counts = new Map<string, number>();
  for (const { productId } of slots) counts.set(productId as string, (counts.get(productId as string) ?? 0) + 1);
  return counts;
}
