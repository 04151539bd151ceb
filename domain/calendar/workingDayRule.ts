import { addCalendarDays, beijingDateOf, dayOfWeek, endOfBeijingDay, yearOf, type CalendarDate } from '../../schemas/beijingDate';
import type { CnCalendarYear } from './types';

// The contract's working-day rule over calendar years given as data. No notice, no lunar library
// and no clock here: the application workflow imports this file alone and is given its years by
// an activity (workflows/deadlines.ts), so its deadlines replay the same.

export interface WorkingDayDeadline {
  /** 24:00 Beijing time of the last working day counted, ISO-8601 UTC. */
  deadline: string;
  /** The Beijing date of that last working day. */
  lastWorkingDay: CalendarDate;
  /** True when a day counted lies in a year without a loaded notice (`provisional`). */
  provisional: boolean;
}

export interface WorkingDayCalendar {
  /** The calendar of a year. */
  year(year: number): CnCalendarYear;
  isWorkingDay(date: CalendarDate): boolean;
  /** N working days from a moment end at 24:00 Beijing time of the N-th working day after its Beijing date. */
  addWorkingDays(moment: Date | string | number, workingDays: number): WorkingDayDeadline;
  /** The working days after `from`'s Beijing date up to and including `to`'s (0 when `to` is not later). */
  workingDaysBetween(from: Date | string | number, to: Date | string | number): number;
}

interface YearIndex {
  calendar: CnCalendarYear;
  holidays: ReadonlySet<CalendarDate>;
  workdays: ReadonlySet<CalendarDate>;
}

/** Long enough for 250 working days (the longest SLA) across any run of holidays. */
const MAX_SCAN_DAYS = 5 * 366;

/** The working-day rule over `calendarOf`, which answers every year asked for (loaded, shipped or provisional). */
export function workingDayCalendar(calendarOf: (year: number) => CnCalendarYear): WorkingDayCalendar {
  const indexes = new Map<number, YearIndex>();

  function indexOf(year: number): YearIndex {
    let index = indexes.get(year);
    if (index === undefined) {
      const calendar = calendarOf(year);
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

  function workingDaysBetween(from: Date | string | number, to: Date | string | number): number {
    const last = beijingDateOf(to);
    let date = beijingDateOf(from);
    let counted = 0;
    for (let scanned = 0; date < last; scanned += 1) {
      if (scanned > MAX_SCAN_DAYS) throw new RangeError(`more than ${MAX_SCAN_DAYS} days between ${String(from)} and ${String(to)}`);
      date = addCalendarDays(date, 1);
      if (isWorkingDay(date)) counted += 1;
    }
    return counted;
  }

  return { year: (year) => indexOf(year).calendar, isWorkingDay, addWorkingDays, workingDaysBetween };
}
