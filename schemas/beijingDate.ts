// Beijing dates (Asia/Shanghai): China has kept UTC+8 without daylight saving since 1991, so a fixed
// offset is exact and needs no time-zone database (which a Temporal workflow could not load anyway).

/** A calendar date, YYYY-MM-DD. */
export type CalendarDate = string;

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function toEpochMs(moment: Date | string | number): number {
  const ms = moment instanceof Date ? moment.getTime() : typeof moment === 'number' ? moment : Date.parse(moment);
  if (!Number.isFinite(ms)) throw new RangeError(`not a moment in time: ${String(moment)}`);
  return ms;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date; throws on anything that is not a real date. */
function dayNumber(date: CalendarDate): number {
  const match = DATE_PATTERN.exec(date);
  if (match === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`no such date: ${date}`);
  return ms / DAY_MS;
}

function fromDayNumber(day: number): CalendarDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isIsoDate(value: string): boolean {
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

/** The Beijing date of a moment: 2026-01-01T16:00:00Z is already 2026-01-02 in Beijing. */
export function beijingDateOf(moment: Date | string | number): CalendarDate {
  return new Date(toEpochMs(moment) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** 24:00 Beijing time of a date (= 00:00 of the next day), as an ISO-8601 UTC instant. */
export function endOfBeijingDay(date: CalendarDate): string {
  return new Date((dayNumber(date) + 1) * DAY_MS - BEIJING_OFFSET_MS).toISOString();
}

export function addCalendarDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
export function dayOfWeek(date: CalendarDate): number {
  return new Date(dayNumber(date) * DAY_MS).getUTCDay();
}

export function isWeekend(date: CalendarDate): boolean {
  const day = dayOfWeek(date);
  return day === 0 || day === 6;
}

export function yearOf(date: CalendarDate): number {
  return Number(date.slice(0, 4));
}

/** Every date of a year, in order. */
export function datesOfYear(year: number): CalendarDate[] {
  const first = dayNumber(`${String(year).padStart(4, '0')}-01-01`);
  const next = dayNumber(`${String(year + 1).padStart(4, '0')}-01-01`);
  return Array.from({ length: next - first }, (_, i) => fromDayNumber(first + i));
}

/**
 * `from` plus whole calendar years, the same month and day; 29 February becomes 28 February in a
 * year without one (a term of years is counted this way in Chinese certificates too).
 */
export function addCalendarYears(date: CalendarDate, years: number): CalendarDate {
  dayNumber(date);
  const target = `${String(yearOf(date) + years).padStart(4, '0')}${date.slice(4)}`;
  return isIsoDate(target) ? target : `${target.slice(0, 8)}28`;
}
