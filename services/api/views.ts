import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ApplicationRequest, DealRecord, DealView, EnterpriseProfile, ListQuery } from '../../schemas';
import type { Logger } from '../../adapters/logger';
import { loadProfile } from '../../store/catalogue';
import type { StoredDoc } from '../../store/collection';
import { readList } from '../../store/lists';
import type { Models } from '../../store/models';
import { dealViewJson, findApplicationDoc, findDealDoc, readModelDoc, type ApplicationDoc, type DealDoc } from '../../store/readModels';
import { invalid } from './errors';

// Reads of the read models the workflows keep. Handlers never wait on Temporal to answer a read.
// Each stored document carries its view as JSON, validated against the response schema when it
// was written (store/readModels.ts): a read sends that text as it is, so answering costs
// no decoding, validation or serialization of the document.

/** Sends JSON text that is already in the shape of the route's response schema. */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

/** `{ items, nextCursor }` from items that are already JSON. */
export const listJson = (items: readonly string[], nextCursor: string | null): string =>
  `{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;

// ---------- pages ----------

/** A page reads at most this many list entries per item it may answer (see readList). */
const ENTRIES_READ_PER_ITEM = 5;

/** The cursor is the list position to read next, wrapped so clients treat it as opaque. */
const CursorPayload = z.object({ from: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ from: position })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = null;
  }
  const parsed = CursorPayload.safeParse(json);
  if (!parsed.success) throw invalid(new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'cursor is not one this API handed out', input: cursor }]), 'query.');
  return parsed.data.from;
}

/**
 * One page of a list (store/lists.ts), newest first. Reads by `_id` only, at most
 * ENTRIES_READ_PER_ITEM × limit entries: a status that rarely matches answers fewer items and a
 * cursor to read on, so a page costs the same whatever the store holds.
 */
export async function listPage<T extends ApplicationDoc | DealDoc>(
  models: Models,
  list: string,
  items: Models['applications' | 'deals'],
  query: Pick<ListQuery, 'limit' | 'cursor'> & { status?: string | undefined },
): Promise<{ docs: T[]; nextCursor: string | null }> {
  const { status } = query;
  const { docs, next } = await readList<StoredDoc>(models, list, items, {
    from: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    limit: query.limit,
    maxEntries: ENTRIES_READ_PER_ITEM * query.limit,
    keep: status === undefined ? undefined : (doc) => readModelDoc<T>(doc)?.status === status,
  });
  return { docs: docs.map((doc) => readModelDoc<T>(doc) as T), nextCursor: next === null ? null : encodeCursor(next) };
}

// ---------- applications ----------

export const findApplication = findApplicationDoc;

// ---------- deals ----------

export const findDeal = findDealDoc;

/**
 * Deals as a party on the financing side sees them: the stored view (with the application's
 * request) and the enterprise's current profile. Each enterprise is read once per call: an inbox
 * page often holds several deals of one application.
 */
export async function dealsWithProfiles(models: Models, deals: readonly DealDoc[], logger: Logger): Promise<string[]> {
  const profiles = new Map<string, Promise<EnterpriseProfile | null>>();
  for (const { enterpriseUscc } of deals) {
    if (!profiles.has(enterpriseUscc)) profiles.set(enterpriseUscc, loadProfile(models, enterpriseUscc, logger));
  }
  return Promise.all(deals.map(async (deal) => withEnterprise(deal.view, await profiles.get(deal.enterpriseUscc))));
}

/** A deal a command just changed, as its institution sees it (same shape as a stored view). */
export async function decidedDealJson(models: Models, deal: DealRecord, request: ApplicationRequest, logger: Logger): Promise<string> {
  const profile = await loadProfile(models, deal.enterpriseUscc, logger);
  return withEnterprise(dealViewJson(deal, request), profile);
}

/** The request inside a stored deal view: the application's, which never changes. */
export const requestOf = (deal: DealDoc): ApplicationRequest => (JSON.parse(deal.view) as DealView & { request: ApplicationRequest }).request;

// The view is a JSON object; the profile (parsed by the enterprise schema) becomes its last member.
function withEnterprise(dealJson: string, profile: EnterpriseProfile | null | undefined): string {
  return profile ? `${dealJson.slice(0, -1)},"enterprise":${JSON.stringify(profile)}}` : dealJson;
}
