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
import { collectionOf, withCurrent, writeForward, type StoredDoc } from './collection';
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
// Writes only move forward. An application's batches come from its workflow one at a time, but an
// attempt of batch N that outlives its timeout (a MongoDB election, a worker cut off) can land after
// the retry of N and after N+1: an unconditional replace would set the document back to N, and the
// next batch would build its timeline on that stale view. A filter on `lastSeq` would make the
// write conditional but is no `_id` operation (FerretDB scans: 165 ms against 1.7 ms on 20,000
// documents). So what changes is kept in one embedded document, `current`, whose first field is
// `lastSeq`, and written with `$max`: MongoDB and FerretDB compare embedded documents field by
// field in order, so the update keeps whichever of the stored and the written state has the higher
// `lastSeq`, atomically and by `_id` alone. A late attempt changes nothing; a retry of the same
// batch writes the same state. The fields that never change (owner, institution) sit beside it.

/** The application as readers see it: the fields lists filter on, and the view `GET /v1/applications/:id` answers. */
export type ApplicationDoc = {
  _id: string;
  enterpriseUscc: string;
  status: ApplicationStatus;
  lastSeq: number;
  updatedAt: string;
  /** ApplicationView as JSON: the record, its timeline and its deals as the enterprise sees them. */
  view: string;
};

/** The deal as readers see it: the fields the inbox filters on, and the deal as its institution sees it, without the live profile. */
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

/** How a read model is stored: its fixed fields, and what batches change in `current` (see above). */
type Stored<Doc extends { _id: string }, Versioned extends keyof Doc> = Omit<Doc, Versioned> & { current: Pick<Doc, Versioned> };
type ApplicationVersioned = 'lastSeq' | 'status' | 'updatedAt' | 'view';
type DealVersioned = 'lastSeq' | 'status' | 'view';

// `lastSeq` first: `$max` compares `current` by it (see above).
const applicationCurrent = ({ lastSeq, status, updatedAt, view }: ApplicationDoc): Pick<ApplicationDoc, ApplicationVersioned> => ({ lastSeq, status, updatedAt, view });
const dealCurrent = ({ lastSeq, status, view }: DealDoc): Pick<DealDoc, DealVersioned> => ({ lastSeq, status, view });

export function storedApplication(doc: ApplicationDoc): Stored<ApplicationDoc, ApplicationVersioned> {
  return { _id: doc._id, enterpriseUscc: doc.enterpriseUscc, current: applicationCurrent(doc) };
}

export function storedDeal(doc: DealDoc): Stored<DealDoc, DealVersioned> {
  return { _id: doc._id, applicationId: doc.applicationId, institutionId: doc.institutionId, enterpriseUscc: doc.enterpriseUscc, current: dealCurrent(doc) };
}

/**
 * A stored read model as readers use it (collection.ts, withCurrent). No migration rewrites the
 * documents of the earlier, flat layout: replicas of the earlier release, still serving during a
 * rollout, read their flat fields.
 */
export const readModelDoc = <Doc extends ApplicationDoc | DealDoc>(raw: StoredDoc | null | undefined): Doc | null => withCurrent<Doc>(raw);

export async function findApplicationDoc(models: Models, applicationId: string): Promise<ApplicationDoc | null> {
  return readModelDoc<ApplicationDoc>(await collectionOf(models.applications).findOne({ _id: applicationId }));
}

export async function findDealDoc(models: Models, dealId: string): Promise<DealDoc | null> {
  return readModelDoc<DealDoc>(await collectionOf(models.deals).findOne({ _id: dealId }));
}

/** The application as `POST /v1/applications` stores it, before its workflow has written anything. */
export async function storeSubmittedApplication(models: Models, record: ApplicationRecord): Promise<void> {
  await listApplications(models, [record]);
  // The workflow's writes (lastSeq >= 1) win over this one, whichever lands first.
  await writeForward(collectionOf(models.applications), storedApplication(applicationDoc(record, [], [], 0)));
}

/**
 * Makes one batch of a workflow's events visible in the read models. Returns false for a batch
 * already stored (a retry). The deals are written first: the application's `lastSeq` then says
 * the whole batch landed, and a retry after a failure in between writes everything again.
 */
export async function storeBatch(models: Models, { application, deals, events }: RecordEventsInput): Promise<boolean> {
  const lastSeq = events[events.length - 1]?.seq ?? 0;
  const stored = await findApplicationDoc(models, application.applicationId);
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
  await Promise.all(deals.map((deal) => writeForward(collectionOf(models.deals), storedDeal(dealDoc(deal, application, lastSeq)))));
  await writeForward(collectionOf(models.applications), storedApplication(applicationDoc(application, timeline, dealViews, lastSeq)));
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
