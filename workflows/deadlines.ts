import type { Activities } from '../activities';
import type { CnCalendarYear } from '../domain/calendar/types';
import { workingDayCalendar, type WorkingDayCalendar } from '../domain/calendar/workingDayRule';
import { beijingDateOf, yearOf } from '../schemas/beijingDate';
import type { Candidate } from '../schemas';
import { DAY_MS, HOUR_MS, type ApplicationState, type DealState } from './applicationState';

// When each clock of the application lapses. Under the working-day-slas patch, a product's
// `responseSlaWorkingDays`/`ddSlaWorkingDays`, the documents deadline and the offer window count
// working days: N working days from t end at 24:00 Beijing time of the N-th working day after t's
// Beijing date (CONTRACT). The calendar is data the `loadCalendar` activity returns, so a replay
// computes the same deadlines whatever the calendar says by then.
//
// Scaled mode (settings.slaScale < 1, demos and benchmarks): a working day is 24 hours times the
// scale, with no calendar, so an SLA of days lapses in seconds as before.

/** A loaded calendar is reused this long; a year ops loads reaches clocks that start later than that. */
const CALENDAR_REUSE_MS = HOUR_MS;
/** Years loaded past the current one: 250 working days from late December end early in the year after next. */
const YEARS_AHEAD = 2;

export interface Clock {
  atMs: number;
  /** The deadline counts a day of a year without a loaded notice. */
  provisional: boolean;
}

/** Loads the calendar from this Beijing year on when it is missing, stale or ends too soon; before any clock starts. */
export async function refreshCalendar(state: ApplicationState, steps: Pick<Activities, 'loadCalendar'>): Promise<void> {
  if (!state.workingDaySlas || state.settings.slaScale < 1) return;
  const now = Date.now();
  const fromYear = yearOf(beijingDateOf(now));
  const loaded = state.calendar;
  if (loaded && now - loaded.loadedAtMs < CALENDAR_REUSE_MS && loaded.fromYear <= fromYear && loaded.toYear >= fromYear + YEARS_AHEAD) return;
  const years = await steps.loadCalendar({ fromYear, toYear: fromYear + YEARS_AHEAD });
  state.calendar = { years, fromYear, toYear: fromYear + YEARS_AHEAD, loadedAtMs: now };
  rules.delete(state);
}

const rules = new WeakMap<ApplicationState, WorkingDayCalendar>();

/** A year the activity did not return (a clock past the loaded years): Monday to Friday, provisional. */
const unloadedYear = (year: number): CnCalendarYear => ({ year, holidays: [], workdays: [], source: 'not loaded', provisional: true });

function calendarOf(state: ApplicationState): WorkingDayCalendar {
  let rule = rules.get(state);
  if (rule === undefined) {
    const byYear = new Map((state.calendar?.years ?? []).map((year) => [year.year, year]));
    rule = workingDayCalendar((year) => byYear.get(year) ?? unloadedYear(year));
    rules.set(state, rule);
  }
  return rule;
}

export function afterWorkingDays(state: ApplicationState, fromMs: number, workingDays: number): Clock {
  if (state.settings.slaScale < 1) return { atMs: fromMs + workingDays * DAY_MS * state.settings.slaScale, provisional: false };
  const { deadline, provisional } = calendarOf(state).addWorkingDays(fromMs, workingDays);
  return { atMs: Date.parse(deadline), provisional };
}

const calendarTime = (atMs: number): Clock => ({ atMs, provisional: false });

export function responseClock(state: ApplicationState, candidate: Candidate, fromMs: number): Clock {
  if (state.workingDaySlas && candidate.responseSlaWorkingDays !== undefined) return afterWorkingDays(state, fromMs, candidate.responseSlaWorkingDays);
  return calendarTime(fromMs + candidate.responseSlaHours * HOUR_MS * state.settings.slaScale);
}

export function dueDiligenceClock(state: ApplicationState, candidate: Candidate, fromMs: number): Clock {
  if (state.workingDaySlas && candidate.ddSlaWorkingDays !== undefined) return afterWorkingDays(state, fromMs, candidate.ddSlaWorkingDays);
  return calendarTime(fromMs + candidate.ddSlaDays * DAY_MS * state.settings.slaScale);
}

/**
 * The documents deadline and the offer window: whole days count working days; a fraction of a
 * day (demos: `DEALFLOW_DOCUMENTS_DEADLINE_DAYS=0.002`) or scaled mode counts calendar time, unscaled.
 */
function settingDays(state: ApplicationState, days: number, fromMs: number): Clock {
  if (state.workingDaySlas && state.settings.slaScale === 1 && Number.isInteger(days)) return afterWorkingDays(state, fromMs, days);
  return calendarTime(fromMs + days * DAY_MS);
}

export const documentsClock = (state: ApplicationState, fromMs: number): Clock => settingDays(state, state.settings.documentsDeadlineDays, fromMs);
export const offerWindowClock = (state: ApplicationState, fromMs: number): Clock => settingDays(state, state.settings.offerWindowDays, fromMs);

/** True when the offer window counts working days (for the expiry's message). */
export const offerWindowInWorkingDays = (state: ApplicationState): boolean =>
  state.workingDaySlas && state.settings.slaScale === 1 && Number.isInteger(state.settings.offerWindowDays);

/**
 * The due-diligence deadline after the enterprise answered a document request: the clock stood
 * still while the institution waited. In working days, by the working days the wait took;
 * otherwise by the time it took.
 */
export function resumedDueDiligence(state: ApplicationState, deal: DealState, nowMs: number): Clock | null {
  const { ddDeadlineMs, documentsRequestedAtMs } = deal;
  if (ddDeadlineMs === null || documentsRequestedAtMs === null) return ddDeadlineMs === null ? null : { atMs: ddDeadlineMs, provisional: deal.ddDeadlineProvisional ?? false };
  if (state.workingDaySlas && deal.candidate.ddSlaWorkingDays !== undefined && state.settings.slaScale === 1) {
    const waited = calendarOf(state).workingDaysBetween(documentsRequestedAtMs, nowMs);
    if (waited === 0) return { atMs: ddDeadlineMs, provisional: deal.ddDeadlineProvisional ?? false };
    // The deadline is 24:00 of its last working day: counting on from a moment of that day.
    const extended = afterWorkingDays(state, ddDeadlineMs - 1, waited);
    return { atMs: extended.atMs, provisional: extended.provisional || (deal.ddDeadlineProvisional ?? false) };
  }
  return { atMs: ddDeadlineMs + (nowMs - documentsRequestedAtMs), provisional: false };
}
