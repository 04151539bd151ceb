import { addCalendarDays, beijingDateOf, dayOfWeek, type CalendarDate } from '../../schemas/beijingDate';
import type { CnCalendarYear } from '../calendar/types';

// When a forum's parties are reminded: on the working day before the forum's Beijing date. Only
// zod- and clock-free imports: the forum workflow runs this on the calendar years an activity
// loaded for it (the full business calendar pulls in the lunar calendar for provisional years).

/** The working day before `date`, by the given years' notices (a year not given counts Monday to Friday). */
export function workingDayBefore(date: CalendarDate, years: readonly CnCalendarYear[]): CalendarDate {
  const holidays = new Set(years.flatMap((y) => y.holidays));
  const workdays = new Set(years.flatMap((y) => y.workdays));
  const isWorkingDay = (day: CalendarDate): boolean => workdays.has(day) || (!holidays.has(day) && dayOfWeek(day) !== 0 && dayOfWeek(day) !== 6);
  let day = addCalendarDays(date, -1);
  // The longest run of days off in a notice is nine; a year bounds any mistake in the data.
  for (let scanned = 0; scanned < 366 && !isWorkingDay(day); scanned += 1) day = addCalendarDays(day, -1);
  return day;
}

/** Reminders go out at 09:00 Beijing time (01:00 UTC) of the working day before the forum starts. */
export function reminderMoment(startsAt: string, years: readonly CnCalendarYear[]): string {
  return `${workingDayBefore(beijingDateOf(startsAt), years)}T01:00:00.000Z`;
}
