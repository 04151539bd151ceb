import { addCalendarDays, beijingDateOf, dayOfWeek, endOfBeijingDay, yearOf, type CalendarDate } from '../../schemas/beijingDate';
import { SHIPPED_CN_CALENDARS } from './notices';
import { provisionalCalendarYear } from './statutory';
import type { CnCalendarYear } from './types';

export interface WorkingDayDeadline {
  /** 24:00 Beijing time of the last working day counted, ISO-8601 UTC. */
  deadline: string;
  /** The Beijing date of that last working day. */
  lastWorkingDay: CalendarDate;
  /** True when a day counted lies in a year without a loaded notice (`provisional`). */
  provisional: boolean;
}

export interface BusinessCalendar {
  /** The calendar of a year: loaded, else shipped, else provisional. */
  year(year: number): CnCalendarYear;
  isWorkingDay(date: CalendarDate): boolean;
  /** N working days from a moment end at 24:00 Beijing time of the N-th working day after its Beijing date. */
  addWorkingDays(moment: Date | string | number, workingDays: number): WorkingDayDeadline;
}

interface YearIndex {
  calendar: CnCalendarYear;
  holidays: ReadonlySet<CalendarDate>;
  workdays: ReadonlySet<CalendarDate>;
}

/** Long enough for 250 working days (the longest SLA) across any run of holidays. */
const MAX_SCAN_DAYS = 5 * 366;

/**
 * The China business calendar from data only: no clock, no file, no I/O, so a Temporal workflow
 * can build it from years passed in as input. `loaded` are the years ops put (they replace the
 * shipped notices of the same year); any other year is provisional.
 */
export function createBusinessCalendar(loaded: readonly CnCalendarYear[] = []): BusinessCalendar {
  const known = new Map<number, CnCalendarYear>();
  for (const calendar of SHIPPED_CN_CALENDARS) known.set(calendar.year, calendar);
  for (const calendar of loaded) known.set(calendar.year, calendar);
  const indexes = new Map<number, YearIndex>();

  function indexOf(year: number): YearIndex {
    let index = indexes.get(year);
    if (index === undefined) {
      const calendar = known.get(year) ?? provisionalCalendarYear(year);
      index = { calendar, holidays: new Set(calendar.holidays), workdays: new Set(calendar.workdays) };
      indexes.set(year, index);
    }
    return index;
  }

  function isWorkingDay(date: CalendarDate): boolean {
    const { holidays, workdays } = indexOf(yearOf(date));
    if (workdays.has(date)) return true;
    if (holidays.has(date)) return false;
    const day = dayOfWeek(date);
    return day !== 0 && day !== 6;
  }

  function addWorkingDays(moment: Date | string | number, workingDays: number): WorkingDayDeadline {
    if (!Number.isInteger(workingDays) || workingDays < 1) {
      throw new RangeError(`working days must be a whole number of at least 1, got ${workingDays}`);
    }
    let date = beijingDateOf(moment);
    let counted = 0;
    let provisional = false;
    for (let scanned = 0; counted < workingDays; scanned += 1) {
      if (scanned > MAX_SCAN_DAYS) throw new RangeError(`no ${workingDays} working days within ${MAX_SCAN_DAYS} days`);
      date = addCalendarDays(date, 1);
      provisional ||= indexOf(yearOf(date)).calendar.provisional;
      if (isWorkingDay(date)) counted += 1;
    }
    return { deadline: endOfBeijingDay(date), lastWorkingDay: date, provisional };
  }

  return { year: (year) => indexOf(year).calendar, isWorkingDay, addWorkingDays };
}
