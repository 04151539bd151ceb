import { z } from 'zod';
import type { ApplicationRecord, ApplicationView, DealRecord, DealView, ListQuery } from '../../schemas';
import type { Logger } from '../logger';
import { loadProfile } from '../store/catalogue';
import type { Models } from '../store/models';
import { invalid } from './errors';

// Reads of the read models the workflows keep. Handlers never wait on Temporal to answer a read.
// Documents are passed through as they are: the route's response schema strips bookkeeping
// fields (`_id`, `lastSeq`, `deadline`, ...) when it serializes them.

type Doc = Record<string, unknown>;

// ---------- pages ----------

/** The cursor is the last `_id` of the page before, wrapped so clients treat it as opaque. */
const CursorPayload = z.object({ after: z.string().min(1) });

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = null;
  }
  const parsed = CursorPayload.safeParse(json);
  if (!parsed.success) throw invalid(new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'cursor is not one this API handed out', input: cursor }]), 'query.');
  return parsed.data.after;
}

/**
 * One page in `_id` order. The filter must be equalities on indexed fields (FerretDB pushes only
 * those down); the `_id > cursor` bound then narrows that already small set.
 */
export async function page(model: Models['applications'], filter: Doc, query: Pick<ListQuery, 'limit' | 'cursor'>): Promise<{ docs: Doc[]; nextCursor: string | null }> {
  const bound = query.cursor === undefined ? {} : { _id: { $gt: decodeCursor(query.cursor) } };
  const docs = (await model.find({ ...filter, ...bound }).sort({ _id: 1 }).limit(query.limit + 1).lean()) as Doc[];
  const more = docs.length > query.limit;
  const items = more ? docs.slice(0, query.limit) : docs;
  const last = items[items.length - 1];
  return { docs: items, nextCursor: more && last ? encodeCursor(String(last._id)) : null };
}

// ---------- applications ----------

export async function findApplication(models: Models, applicationId: string): Promise<ApplicationRecord | null> {
  return (await models.applications.findById(applicationId).lean()) as ApplicationRecord | null;
}

/** The application with its timeline (every event, in seq order) and its deals. */
export async function applicationView(models: Models, record: ApplicationRecord): Promise<ApplicationView> {
  const [events, deals] = await Promise.all([
    models.events.find({ applicationId: record.applicationId }).lean(),
    models.deals.find({ applicationId: record.applicationId }).lean(),
  ]);
  const timeline = (events as unknown as { seq: number }[]).sort((a, b) => a.seq - b.seq);
  const dealViews = (deals as unknown as DealRecord[]).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.dealId.localeCompare(b.dealId));
  return { ...record, timeline, deals: dealViews } as unknown as ApplicationView;
}

// ---------- deals ----------

export async function findDeal(models: Models, dealId: string): Promise<DealRecord | null> {
  return (await models.deals.findById(dealId).lean()) as DealRecord | null;
}

/** A deal as a party on the financing side sees it: with the enterprise's profile and its request. */
export async function dealWithParties(models: Models, deal: DealRecord, logger: Logger, lookups = partyLookups(models, logger)): Promise<DealView> {
  const [enterprise, application] = await Promise.all([lookups.profile(deal.enterpriseUscc), lookups.application(deal.applicationId)]);
  return {
    ...deal,
    ...(enterprise ? { enterprise } : {}),
    ...(application ? { request: application.request } : {}),
  } as DealView;
}

/**
 * Profile and application reads shared by the deals of one page: an inbox often holds several
 * deals of one application, and each party is then read once instead of once per deal.
 */
export function partyLookups(models: Models, logger: Logger) {
  const profiles = new Map<string, ReturnType<typeof loadProfile>>();
  const applications = new Map<string, ReturnType<typeof findApplication>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    let pending = cache.get(key);
    if (pending === undefined) cache.set(key, (pending = read()));
    return pending;
  };
  return {
    profile: (uscc: string) => once(profiles, uscc, () => loadProfile(models, uscc, logger)),
    application: (applicationId: string) => once(applications, applicationId, () => findApplication(models, applicationId)),
  };
}
