import { createBusinessCalendar, provisionalCalendarYear, SHIPPED_CN_CALENDARS, type BusinessCalendar } from '../domain/calendar';
import { CnCalendarYear, type CnCalendarYearInput } from '../schemas';
import { collectionOf, upsertById } from './collection';
import type { Models } from './models';

// The China business calendar years ops loaded (`PUT /v1/calendars/cn/:year`), one document per
// year by `_id`. A year not stored falls back to the notice shipped with the project, then to the
// provisional year of the holiday regulations (domain/calendar).

const calendarId = (year: number) => `cn-${year}`;

/** The year ops loaded, or null; a stored document that no longer fits the schema counts as not loaded. */
export async function loadStoredCalendarYear(models: Models, year: number): Promise<CnCalendarYear | null> {
  const doc = await collectionOf(models.calendars).findOne({ _id: calendarId(year) });
  if (!doc) return null;
  const { _id: _storedId, updatedAt: _updatedAt, ...rest } = doc;
  const parsed = CnCalendarYear.safeParse(rest);
  return parsed.success ? parsed.data : null;
}

/** The calendar of a year as the API answers it: loaded, else shipped, else provisional. */
export async function resolveCalendarYear(models: Models, year: number): Promise<CnCalendarYear> {
  const stored = await loadStoredCalendarYear(models, year);
  if (stored) return stored;
  const shipped = SHIPPED_CN_CALENDARS.find((c) => c.year === year) ?? provisionalCalendarYear(year);
  return { ...shipped, holidays: [...shipped.holidays], workdays: [...shipped.workdays] };
}

/** Stores a year's notice (sorted), replacing what ops loaded before for that year. */
export async function saveCalendarYear(models: Models, input: CnCalendarYearInput, now: string): Promise<CnCalendarYear> {
  const calendar: CnCalendarYear = {
    year: input.year,
    holidays: [...input.holidays].sort(),
    workdays: [...input.workdays].sort(),
    source: input.source,
    provisional: false,
  };
  await upsertById(collectionOf(models.calendars), calendarId(input.year), { ...calendar, updatedAt: now });
  return calendar;
}

/**
 * The business calendar for deadlines that start in `fromYear` and may run into later years: the
 * stored years among them passed as data, so a workflow can be given the same calendar
 * (`createBusinessCalendar` is pure).
 */
export async function loadCalendarYears(models: Models, fromYear: number, toYear: number): Promise<CnCalendarYear[]> {
  const years: CnCalendarYear[] = [];
  for (let year = fromYear; year <= toYear; year += 1) {
    const stored = await loadStoredCalendarYear(models, year);
    if (stored) years.push(stored);
  }
  return years;
}

export async function loadBusinessCalendar(models: Models, fromYear: number, toYear: number): Promise<BusinessCalendar> {
  return createBusinessCalendar(await loadCalendarYears(models, fromYear, toYear));
}
