import {
  ApplicationView,
  DealView,
  type ApplicationRecord,
  type ApplicationRequest,
  type ApplicationStatus,
  type DealStatus,
  type DealflowEvent,
  type DealRecord,
  type RecordEventsInput,
} from '../schemas';
import { collectionOf, isDuplicateKey, upsertById } from './collection';
import { listApplications, listDeals } from './lists';
import type { Models } from './models';

// The read models the API answers from, written by the workflow's `recordEvents` activity.
//
// Each document holds its HTTP view, already validated and serialised (`view`), next to the few
// fields reads filter on. A read is then one lookup by `_id` and no work to answer: FerretDB 1.x
// pushes down only a filter that is exactly `{ _id: value }` and decodes every document it reads
// field by field, so one string field costs a fraction of the nested timeline it replaces
// (measured in BENCHMARKS.md). Every write is by `_id` too, for the same reason, and through the
// driver's collection (see models.ts).
//
// Both are listed (lists.ts) before they are first written: an application by the API or its
// workflow, whichever writes first; a deal by the batch that adds it to the application's view.
//
// An application's writes come from its workflow, one batch at a time, so a document's `lastSeq`
// (the seq of the newest event it reflects) only has to stop a retried batch from rolling it back.

/** The stored application: the fields lists filter on, and the view `GET /v1/applications/:id` answers. */
export type ApplicationDoc = {
  _id: string;
  enterpriseUscc: string;
  status: ApplicationStatus;
  lastSeq: number;
  updatedAt: string;
  /** ApplicationView as JSON: the record, its timeline and its deals as the enterprise sees them. */
  view: string;
};

/** The stored deal: the fields the inbox filters on, and the deal as its institution sees it, without the live profile. */
export type DealDoc = {
  _id: string;
  applicationId: string;
  institutionId: string;
  enterpriseUscc: string;
  status: DealStatus;
  lastSeq: number;
  /** DealView as JSON, with the application's request; the enterprise's profile is added when read. */
  view: string;
};

/** The application as `POST /v1/applications` stores it, before its workflow has written anything. */
export async function storeSubmittedApplication(models: Models, record: ApplicationRecord): Promise<void> {
  await listApplications(models, [record]);
  try {
    await collectionOf(models.applications).insertOne(applicationDoc(record, [], [], 0));
  } catch (error) {
    // The workflow wrote first, or this is a repeated submission: what is stored is as new or newer.
    if (!isDuplicateKey(error)) throw error;
  }
}

/**
 * Makes one batch of a workflow's events visible in the read models. Returns false for a batch
 * already stored (a retry). The deals are written first: the application's `lastSeq` then says
 * the whole batch landed, and a retry after a failure in between writes everything again.
 */
export async function storeBatch(models: Models, { application, deals, events }: RecordEventsInput): Promise<boolean> {
  const lastSeq = events[events.length - 1]?.seq ?? 0;
  const applications = collectionOf(models.applications);
  const stored = (await applications.findOne({ _id: application.applicationId }, { projection: { lastSeq: 1, view: 1 } })) as Pick<ApplicationDoc, 'lastSeq' | 'view'> | null;
  if (stored && stored.lastSeq >= lastSeq) return false;
  const before = stored ? (JSON.parse(stored.view) as ApplicationView) : null;

  const firstSeq = events[0]?.seq ?? lastSeq;
  const timeline = [...(before?.timeline ?? []).filter((event) => event.seq < firstSeq), ...events];
  const changed = new Set(deals.map((deal) => deal.dealId));
  const dealViews = [
    ...(before?.deals ?? []).filter((deal) => !changed.has(deal.dealId)),
    ...deals,
  ].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.dealId.localeCompare(b.dealId));

  // Listed before their documents are written (lists.ts); a deal in the stored view is listed already.
  const listed = new Set((before?.deals ?? []).map((deal) => deal.dealId));
  await Promise.all([
    listDeals(models, deals.filter((deal) => !listed.has(deal.dealId))),
    ...(stored ? [] : [listApplications(models, [application])]),
  ]);
  await Promise.all(deals.map((deal) => {
    const { _id, ...fields } = dealDoc(deal, application, lastSeq);
    return upsertById(collectionOf(models.deals), _id, fields);
  }));
  const { _id, ...fields } = applicationDoc(application, timeline, dealViews, lastSeq);
  if (stored) {
    await applications.replaceOne({ _id }, fields);
    return true;
  }
  try {
    await applications.insertOne({ _id, ...fields });
  } catch (error) {
    // The API's `submitted` document landed since the read above; this batch is newer.
    if (!isDuplicateKey(error)) throw error;
    await applications.replaceOne({ _id }, fields);
  }
  return true;
}

// The view's fields besides the timeline and the deals, in the schema's order.
const ApplicationViewFields = ApplicationView.omit({ timeline: true, deals: true });

/**
 * `timeline` holds events already checked against the contract (by the activity's input schema,
 * or when an earlier view was written): a batch checks only what it adds, not the whole history
 * again. Parsing the rest keeps what the view shows; the workflow's bookkeeping (notes, submitted
 * files) stays out.
 */
export function applicationDoc(record: ApplicationRecord, timeline: readonly DealflowEvent[], deals: readonly (DealRecord | DealView)[], lastSeq: number): ApplicationDoc {
  const view = { ...ApplicationViewFields.parse(record), timeline, deals: deals.map((deal) => DealView.parse(deal)) };
  return { _id: record.applicationId, enterpriseUscc: record.enterpriseUscc, status: record.status, lastSeq, updatedAt: record.updatedAt, view: JSON.stringify(view) };
}

/** A deal as its institution sees it, without the enterprise's profile (added when read). */
export const dealViewJson = (deal: DealRecord, request: ApplicationRequest): string => JSON.stringify(DealView.parse({ ...deal, request }));

export function dealDoc(deal: DealRecord, application: ApplicationRecord, lastSeq: number): DealDoc {
  return {
    _id: deal.dealId,
    applicationId: deal.applicationId,
    institutionId: deal.institutionId,
    enterpriseUscc: deal.enterpriseUscc,
    status: deal.status,
    lastSeq,
    view: dealViewJson(deal, application.request),
  };
}
