import { beijingDateOf } from '../domain/calendar';
import { pairScores, type EnterpriseForScoring, type InstitutionForScoring } from '../domain/forums/pairScores';
import { placeMeetings, stableMeetings, type PlacedMeeting, type ScoredPair } from '../domain/forums/schedule';
import { screenQualifications } from '../domain/screening';
import { Institution, Product, RecordForumEventsInput, slotsOf, type CnCalendarYear, type ForumRegistration } from '../schemas';
import type { ForumEventPublisher } from '../adapters/events/forumPublisher';
import { resolveCalendarYear } from '../store/calendars';
import { isDishonestDebtor, loadProfile, loadRecognitions, loadResponseRates } from '../store/catalogue';
import { collectionOf } from '../store/collection';
import { loadSchedulePage, storeForumBatch, storeSchedulePages } from '../store/forums';
import type { ActivityDeps } from './deps';

export interface ForumActivityDeps extends Pick<ActivityDeps, 'models' | 'logger'> {
  forumPublisher: ForumEventPublisher;
}

export interface ScheduleForumInput {
  forumId: string;
  startsAt: string;
  endsAt: string;
  slotMinutes: number;
  tables: number;
  meetingsPerEnterprise: number;
  registrations: ForumRegistration[];
  /** The workflow's time of scheduling: validity of qualifications and years since founding are judged on its Beijing date. */
  now: string;
}

/**
 * A computed schedule, without the placed meetings themselves: those are stored in pages of
 * `SCHEDULE_PAGE` that the workflow reads with `loadForumSchedulePage`, since at the summit's scale
 * (3,000 meetings with their reasons) they exceed what one activity result may carry (2 MB).
 */
export interface ForumSchedule {
  pages: number;
  placedCount: number;
  /** Pairs the room could not hold, lowest-scored. */
  cut: { enterpriseUscc: string; institutionId: string; score: number }[];
  /** The best unplaced pairs: where a declined meeting's place can go. */
  reserve: ScoredPair[];
  /** Display names by uscc or institution id. */
  names: Record<string, string>;
}

const SCHEDULE_PAGE = 500;

/**
 * Unplaced pairs the workflow keeps for replacements: enough for every decline a forum sees, few
 * enough that the summit's 1,000 × 100 pairs do not go into the workflow's history.
 */
const RESERVE_PAIRS = 300;

export function createForumActivities({ models, logger, forumPublisher }: ForumActivityDeps) {
  return {
    /**
     * A forum's meetings: pair scores from the registrations, profiles, registry records and
     * registered products; the stable assignment; then slots and tables in the forum's room.
     */
    async scheduleForum(input: ScheduleForumInput): Promise<ForumSchedule> {
      const log = logger.child({ forumId: input.forumId });
      const today = beijingDateOf(input.now);
      const names: Record<string, string> = {};
      const enterprises: EnterpriseForScoring[] = [];
      const institutions: InstitutionForScoring[] = [];
      // One scan of institution stats per schedule, as matching does per second (catalogue.ts).
      const responseRates = await loadResponseRates(models);
      for (const registration of input.registrations) {
        if (registration.party === 'enterprise') {
          const uscc = registration.enterpriseUscc;
          const [profile, recognitions, dishonest] = await Promise.all([loadProfile(models, uscc, log), loadRecognitions(models, uscc), isDishonestDebtor(models, uscc)]);
          if (!profile || dishonest) {
            log.info({ uscc, profile: profile !== null, dishonest }, 'enterprise left out of the forum schedule');
            continue;
          }
          names[uscc] = profile.name;
          enterprises.push({
            enterpriseUscc: uscc,
            instruments: registration.instruments,
            amountCny: registration.amountCny,
            profile,
            verifiedQualifications: screenQualifications(profile.qualifications, recognitions, today).verified,
          });
        } else {
          const id = registration.institutionId;
          const institutionDoc = await collectionOf(models.institutions).findOne({ _id: id });
          const institution = institutionDoc ? Institution.safeParse(withoutStoredFields(institutionDoc)) : null;
          if (!institution?.success) {
            log.info({ institutionId: id }, 'institution without a valid record left out of the forum schedule');
            continue;
          }
          names[id] = institution.data.name;
          const productDocs = await Promise.all(registration.productIds.map((productId) => collectionOf(models.products).findOne({ _id: productId })));
          const products = productDocs.flatMap((doc) => {
            const parsed = doc ? Product.safeParse(withoutStoredFields(doc)) : null;
            return parsed?.success && parsed.data.institutionId === id ? [parsed.data] : [];
          });
          institutions.push({
            institutionId: id,
            // A forum meeting is no deal: the product's deal capacity does not limit who meets.
            products: products.map((product) => ({ product, openDeals: 0, responseRate: responseRates.get(id), institutionRegions: institution.data.regions })),
          });
        }
      }

      const pairs = pairScores(enterprises, institutions, today);
      const caps = {
        perEnterprise: input.meetingsPerEnterprise,
        perInstitution: new Map(input.registrations.flatMap((r) => (r.party === 'institution' ? [[r.institutionId, r.meetingsCapacity] as const] : []))),
      };
      const stable = stableMeetings(pairs, caps);
      const { placed, cut } = placeMeetings(stable, { slots: slotsOf(input), tables: input.tables });
      const placedKeys = new Set(placed.map((m) => `${m.enterpriseUscc}|${m.institutionId}`));
      const reserve = pairs.filter((p) => !placedKeys.has(`${p.enterpriseUscc}|${p.institutionId}`)).slice(0, RESERVE_PAIRS);
      const strip = ({ enterpriseUscc, institutionId, score, reasons }: ScoredPair): ScoredPair => ({ enterpriseUscc, institutionId, score, reasons });
      const pages: PlacedMeeting[][] = [];
      for (let i = 0; i < placed.length; i += SCHEDULE_PAGE) pages.push(placed.slice(i, i + SCHEDULE_PAGE).map((m) => ({ ...strip(m), slot: m.slot, table: m.table })));
      await storeSchedulePages(models, input.forumId, pages);
      log.info({ enterprises: enterprises.length, institutions: institutions.length, pairs: pairs.length, placed: placed.length, cut: cut.length }, 'forum scheduled');
      return {
        pages: pages.length,
        placedCount: placed.length,
        cut: cut.map(({ enterpriseUscc, institutionId, score }) => ({ enterpriseUscc, institutionId, score })),
        reserve: reserve.map(strip),
        names,
      };
    },

    /** One page of the schedule `scheduleForum` stored. */
    async loadForumSchedulePage({ forumId, page }: { forumId: string; page: number }): Promise<PlacedMeeting[]> {
      return loadSchedulePage(models, forumId, page);
    },

    /** The China business calendar years (loaded, shipped or provisional), as data for the workflow's reminder. */
    async forumCalendarYears({ years }: { years: number[] }): Promise<CnCalendarYear[]> {
      return Promise.all(years.map((year) => resolveCalendarYear(models, year)));
    },

    /** As recordEvents for applications: the read models by `_id` first, then the forum topic in seq order. */
    async recordForumEvents(raw: RecordForumEventsInput): Promise<void> {
      const input = RecordForumEventsInput.parse(raw);
      const stored = await storeForumBatch(models, input);
      await forumPublisher.publish(input.events);
      logger.debug({ forumId: input.forum.forumId, lastSeq: input.events[input.events.length - 1]?.seq, count: input.events.length, stored }, 'forum events recorded');
    },
  };
}

export type ForumActivities = ReturnType<typeof createForumActivities>;

function withoutStoredFields(doc: Record<string, unknown>): Record<string, unknown> {
  const { _id: _storedId, lastSeq: _lastSeq, updatedAt: _updatedAt, createdAt: _createdAt, ...rest } = doc;
  return rest;
}
