import { EnterpriseProfile, Institution, Product, Recognition } from '../schemas';
import { indexProducts, type ProductIndex, type ProductWithStats } from '../domain';
import type { Logger } from '../adapters/logger';
import { cachedFor } from './cache';
import { collectionOf } from './collection';
import type { Models } from './models';

// Reads of the catalogue (institutions, products) and the registries, for screening and matching.
// Stored documents are parsed with the contract's schemas: a document that no longer fits is
// logged and left out rather than trusted.

const withoutId = <T extends Record<string, unknown>>(doc: T): Omit<T, '_id' | 'lastSeq'> => {
  const { _id: _storedId, lastSeq: _lastSeq, ...rest } = doc as T & { _id?: unknown; lastSeq?: unknown };
  return rest;
};

export async function loadProfile(models: Models, uscc: string, logger: Logger): Promise<EnterpriseProfile | null> {
  const doc = await collectionOf(models.enterprises).findOne({ _id: uscc });
  if (!doc) return null;
  const parsed = EnterpriseProfile.safeParse(withoutId(doc));
  if (!parsed.success) {
    logger.warn({ uscc, issues: parsed.error.issues.length }, 'stored enterprise profile does not fit the schema');
    return null;
  }
  return parsed.data;
}

export async function loadRecognitions(models: Models, uscc: string): Promise<Recognition[]> {
  const doc = await collectionOf(models.recognitions).findOne({ _id: uscc });
  const list = (doc?.recognitions ?? []) as unknown[];
  return list.flatMap((item) => {
    const parsed = Recognition.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function isDishonestDebtor(models: Models, uscc: string): Promise<boolean> {
  return (await collectionOf(models.dishonestDebtors).findOne({ _id: uscc }, { projection: { _id: 1 } })) !== null;
}

export interface CatalogueEntry {
  product: Product;
  institutionRegions: Institution['regions'] | undefined;
  /** The institution's name, or its id when the institution is not on record. */
  institutionName: string;
}

/**
 * The active products with their institutions' regions, cached for `ttlMs`: ranking runs for every
 * application, the catalogue changes a few times a day, and capacity is re-checked atomically when
 * a deal is proposed, so a few seconds of staleness cost nothing.
 */
export function createCatalogue(models: Models, logger: Logger, ttlMs = 5_000) {
  async function load(): Promise<CatalogueEntry[]> {
    const [productDocs, institutionDocs] = await Promise.all([
      models.products.find({ active: true }).lean(),
      models.institutions.find({}).lean(),
    ]);
    const institutions = new Map<string, Institution>();
    for (const doc of institutionDocs) {
      const parsed = Institution.safeParse(withoutId(doc));
      if (parsed.success) institutions.set(parsed.data.institutionId, parsed.data);
    }
    const entries: CatalogueEntry[] = [];
    for (const doc of productDocs) {
      const parsed = Product.safeParse(withoutId(doc));
      if (!parsed.success) {
        logger.warn({ productId: doc._id }, 'stored product does not fit the schema; left out of matching');
        continue;
      }
      const institution = institutions.get(parsed.data.institutionId);
      entries.push({ product: parsed.data, institutionRegions: institution?.regions, institutionName: institution?.name ?? parsed.data.institutionId });
    }
    return entries;
  }

  // Indexed once per catalogue version, so each ranking looks only at plausible products.
  const cache = cachedFor(ttlMs, async () => {
    const entries = await load();
    return {
      entries,
      index: indexProducts(entries.map(({ product }) => product)),
      byId: new Map(entries.map((entry) => [entry.product.productId, entry])),
    };
  });

  return {
    async activeProducts(now = Date.now()): Promise<CatalogueEntry[]> {
      return (await cache.get(now)).entries;
    },
    /** The active products, the ranking index built from them (same order), and each by its id. */
    async indexedProducts(now = Date.now()): Promise<{ entries: CatalogueEntry[]; index: ProductIndex; byId: ReadonlyMap<string, CatalogueEntry> }> {
      return cache.get(now);
    },
    invalidate(): void {
      cache.invalidate();
    },
  };
}
export type Catalogue = ReturnType<typeof createCatalogue>;

/** Joins the catalogue with live capacity counts and response rates into the ranking's input. */
export function withStats(
  entries: readonly CatalogueEntry[],
  openDeals: ReadonlyMap<string, number>,
  responseRates: ReadonlyMap<string, number>,
): ProductWithStats[] {
  return entries.map(({ product, institutionRegions }) => ({
    product,
    openDeals: openDeals.get(product.productId) ?? 0,
    responseRate: responseRates.get(product.institutionId),
    institutionRegions,
  }));
}

/** Institutions' response rates, kept by the ops projection; empty until it has seen any answers. */
export { loadResponseRates } from './opsProjection';
