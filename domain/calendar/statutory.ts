import { Lunar } from 'lunar-typescript';
import { addCalendarDays, type CalendarDate } from '../../schemas/beijingDate';
import type { CnCalendarYear } from './types';

export const STATUTORY_HOLIDAYS_SOURCE =
  '全国年节及纪念日放假办法（2024年11月10日国务院令第795号修订）: provisional, Monday to Friday less the statutory holidays; no notice loaded';

function lunarToSolar(year: number, month: number, day: number): CalendarDate {
  return Lunar.fromYmd(year, month, day).getSolar().toYmd();
}

/** The day of the Qingming solar term (清明, the sun at 15° ecliptic longitude), 4 or 5 April. */
function qingming(year: number): CalendarDate {
  const term = Lunar.fromYmd(year, 3, 1).getJieQiTable()['清明'];
  if (term === undefined) throw new RangeError(`no Qingming solar term found for ${year}`);
  return term.toYmd();
}

/**
 * The days off every citizen has by the national holiday regulations as amended in 2024
 * (Article 2): New Year 1 day; Spring Festival 4 days from New Year's Eve (除夕 to 正月初三);
 * Qingming 1; Labour Day 2 (1–2 May); Dragon Boat 1 (五月初五); Mid-Autumn 1 (八月十五);
 * National Day 3 (1–3 October). The weekend swaps (调休) and the make-up day for a holiday on a
 * weekend (补假) are set by each year's notice, so a provisional year has none of them.
 */
export function statutoryHolidays(year: number): CalendarDate[] {
  const lunarNewYear = lunarToSolar(year, 1, 1);
  const days = [
    `${year}-01-01`,
    addCalendarDays(lunarNewYear, -1), lunarNewYear, addCalendarDays(lunarNewYear, 1), addCalendarDays(lunarNewYear, 2),
    qingming(year),
    `${year}-05-01`, `${year}-05-02`,
    lunarToSolar(year, 5, 5),
    lunarToSolar(year, 8, 15),
    `${year}-10-01`, `${year}-10-02`, `${year}-10-03`,
  ];
  // Mid-Autumn can fall on 1–3 October (2020, 2031): one day off, listed once.
  return [...new Set(days)].sort();
}

/** A year no notice has been loaded for. */
export function provisionalCalendarYear(year: number): CnCalendarYear {
  if (!Number.isInteger(year)) throw new RangeError(`not a year: ${year}`);
  return { year, holidays: statutoryHolidays(year), workdays: [], source: STATUTORY_HOLIDAYS_SOURCE, provisional: true };
}
