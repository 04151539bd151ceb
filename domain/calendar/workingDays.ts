import { SHIPPED_CN_CALENDARS } from './notices';
import { provisionalCalendarYear } from './statutory';
import type { CnCalendarYear } from './types';
import { workingDayCalendar, type WorkingDayCalendar } from './workingDayRule';

export type { WorkingDayDeadline } from './workingDayRule';
export type BusinessCalendar = WorkingDayCalendar;

/**
 * The China business calendar from data only: no clock, no file, no I/O. `loaded` are the years
 * ops put (they replace the shipped notices of the same year); any other year is provisional.
 */
export function createBusinessCalendar(loaded: readonly CnCalendarYear[] = []): BusinessCalendar {
  const known = new Map<number, CnCalendarYear>();
  for (const calendar of SHIPPED_CN_CALENDARS) known.set(calendar.year, calendar);
  for (const calendar of loaded) known.set(calendar.year, calendar);
  return workingDayCalendar((year) => known.get(year) ?? provisionalCalendarYear(year));
}
