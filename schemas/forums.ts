import { z } from 'zod';
import { AmountCny, InstitutionId, Instrument, IsoDateTime, ProductId, Uscc } from './common';
import { MatchReason } from './deal';
import { EVENT_VERSION } from './vocabulary';

// Forums (the contract's "Forums" section): thematic matchmaking with one-to-one meetings. The
// HTTP shapes, the forum's events on `dealflow.forums.v1`, and what the forum workflow hands its
// recording activity. The workflow itself imports these as types only (no zod in its bundle).

export const FORUM_THEMES = [
  'industrial_services', 'industrial_finance', 'new_industries', 'industrial_ecology', 'industrial_intelligence', 'general',
] as const;
export const ForumTheme = z.enum(FORUM_THEMES);
export type ForumTheme = z.infer<typeof ForumTheme>;

export const FORUM_STATUSES = ['open', 'scheduled', 'held', 'cancelled'] as const;
export const ForumStatus = z.enum(FORUM_STATUSES);
export type ForumStatus = z.infer<typeof ForumStatus>;

export const MEETING_STATUSES = ['scheduled', 'confirmed', 'declined', 'held', 'no_show'] as const;
export const MeetingStatus = z.enum(MEETING_STATUSES);
export type MeetingStatus = z.infer<typeof MeetingStatus>;

// Forum ids travel in URL paths, workflow ids, `<forumId>:<seq>` event ids and agenda `_id`s.
export const ForumId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'forumId must be 1-64 characters of letters, digits, \'_\', \'.\', \'-\', starting with a letter or digit');
export const MeetingId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$/, 'meetingId must be letters, digits, \'_\', \'.\', \'-\'');

const MINUTE_MS = 60_000;

export const ForumInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  theme: ForumTheme,
  venue: z.string().trim().min(1).max(200),
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  slotMinutes: z.int().min(5).max(240),
  tables: z.int().min(1).max(1000),
  registrationClosesAt: IsoDateTime,
}).superRefine((forum, ctx) => {
  const starts = Date.parse(forum.startsAt);
  const ends = Date.parse(forum.endsAt);
  if (!(ends > starts)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  else if (ends - starts < forum.slotMinutes * MINUTE_MS) ctx.addIssue({ code: 'custom', path: ['slotMinutes'], message: 'the forum must hold at least one slot' });
  if (!(Date.parse(forum.registrationClosesAt) <= starts)) ctx.addIssue({ code: 'custom', path: ['registrationClosesAt'], message: 'must not be after startsAt' });
});
export type ForumInput = z.infer<typeof ForumInput>;

/** Meeting slots in a forum's time, whole slots only. */
export const slotsOf = (forum: Pick<ForumInput, 'startsAt' | 'endsAt' | 'slotMinutes'>): number =>
  Math.floor((Date.parse(forum.endsAt) - Date.parse(forum.startsAt)) / (forum.slotMinutes * MINUTE_MS));

export const EnterpriseRegistrationInput = z.strictObject({
  instruments: z.array(Instrument).min(1).max(10).refine((list) => new Set(list).size === list.length, 'must not repeat an instrument'),
  amountCny: AmountCny,
});
export type EnterpriseRegistrationInput = z.infer<typeof EnterpriseRegistrationInput>;

export const InstitutionRegistrationInput = z.strictObject({
  productIds: z.array(ProductId).min(1).max(50).refine((list) => new Set(list).size === list.length, 'must not repeat a product'),
  meetingsCapacity: z.int().min(1).max(200),
});
export type InstitutionRegistrationInput = z.infer<typeof InstitutionRegistrationInput>;

export const EnterpriseRegistration = EnterpriseRegistrationInput.safeExtend({ party: z.literal('enterprise'), enterpriseUscc: Uscc, registeredAt: IsoDateTime });
export type EnterpriseRegistration = z.infer<typeof EnterpriseRegistration>;
export const InstitutionRegistration = InstitutionRegistrationInput.safeExtend({ party: z.literal('institution'), institutionId: InstitutionId, registeredAt: IsoDateTime });
export type InstitutionRegistration = z.infer<typeof InstitutionRegistration>;
export const ForumRegistration = z.discriminatedUnion('party', [EnterpriseRegistration, InstitutionRegistration]);
export type ForumRegistration = z.infer<typeof ForumRegistration>;

export const MeetingOutcomeInput = z.strictObject({
  held: z.boolean(),
  followUp: z.enum(['apply', 'none']),
  note: z.string().trim().max(2000).optional(),
});
export type MeetingOutcomeInput = z.infer<typeof MeetingOutcomeInput>;

/** One meeting as the workflow keeps it and the agenda shows it. */
export const Meeting = z.object({
  meetingId: MeetingId,
  enterpriseUscc: Uscc,
  enterpriseName: z.string(),
  institutionId: InstitutionId,
  institutionName: z.string(),
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  /** 0-based slot, 1-based table. */
  slot: z.int().nonnegative(),
  table: z.int().positive(),
  score: z.number(),
  reasons: z.array(MatchReason),
  status: MeetingStatus,
  /** The declined meeting whose place this one took. */
  replaces: MeetingId.nullable(),
  outcome: MeetingOutcomeInput.nullable(),
  updatedAt: IsoDateTime,
});
export type Meeting = z.infer<typeof Meeting>;

export const Agenda = z.object({
  forumId: ForumId,
  items: z.array(Meeting),
  /** Pairs the room could not hold (ops only): the lowest-scored, said rather than dropped silently. */
  cut: z.array(z.object({ enterpriseUscc: Uscc, institutionId: InstitutionId, score: z.number() })).optional(),
});
export type Agenda = z.infer<typeof Agenda>;

/** The forum as the workflow records it with each batch of events. */
export const ForumRecord = z.object({
  forumId: ForumId,
  title: z.string(),
  theme: ForumTheme,
  venue: z.string(),
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  slotMinutes: z.int(),
  tables: z.int(),
  registrationClosesAt: IsoDateTime,
  status: ForumStatus,
  registrations: z.array(ForumRegistration),
  meetingsPerEnterprise: z.int().positive(),
  cut: z.array(z.object({ enterpriseUscc: Uscc, institutionId: InstitutionId, score: z.number() })),
  scheduledAt: IsoDateTime.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type ForumRecord = z.infer<typeof ForumRecord>;

/** `GET /v1/forums/:forumId`: counts for everyone; the registrations themselves for ops, a party's own for it. */
export const ForumView = ForumRecord.omit({ registrations: true, cut: true, meetingsPerEnterprise: true }).extend({
  enterprisesRegistered: z.int().nonnegative(),
  institutionsRegistered: z.int().nonnegative(),
  meetings: z.int().nonnegative(),
  registrations: z.array(ForumRegistration),
});
export type ForumView = z.infer<typeof ForumView>;

export const FORUM_EVENT_TYPES = [
  'forum.opened',
  'forum.registration_added',
  'forum.registration_withdrawn',
  'forum.scheduled',
  // Not in the contract's list yet: the working-day-before reminder to one party (see workflows/forum.ts).
  'forum.reminder_sent',
  'meeting.scheduled',
  'meeting.confirmed',
  'meeting.declined',
  'meeting.held',
  'meeting.no_show',
  'forum.held',
  'forum.cancelled',
] as const;
export const ForumEventType = z.enum(FORUM_EVENT_TYPES);
export type ForumEventType = z.infer<typeof ForumEventType>;

export const ForumEvent = z.object({
  eventId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}:[1-9]\d*$/, 'must be <forumId>:<seq>'),
  type: ForumEventType,
  version: z.literal(EVENT_VERSION),
  seq: z.int().positive(),
  occurredAt: IsoDateTime,
  forumId: ForumId,
  meetingId: MeetingId.optional(),
  enterpriseUscc: Uscc.optional(),
  institutionId: InstitutionId.optional(),
  data: z.record(z.string(), z.unknown()),
}).refine((event) => event.eventId === `${event.forumId}:${event.seq}`, { path: ['eventId'], message: 'must be <forumId>:<seq>' });
export type ForumEvent = z.infer<typeof ForumEvent>;

/** What the forum workflow hands `recordForumEvents`: the forum, the meetings changed by the batch, and the batch. */
export const RecordForumEventsInput = z.object({
  forum: ForumRecord,
  meetings: z.array(Meeting),
  events: z.array(ForumEvent).min(1),
});
export type RecordForumEventsInput = z.infer<typeof RecordForumEventsInput>;

export const ForumParams = z.strictObject({ forumId: ForumId });
export const MeetingParams = z.strictObject({ forumId: ForumId, meetingId: MeetingId });
