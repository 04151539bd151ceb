import type { CalendarDate } from '../../schemas/beijingDate';

/** One year of the China business calendar, as `GET /v1/calendars/cn/:year` answers it. */
export interface CnCalendarYear {
  year: number;
  /** Public holidays (days off), weekend days inside a holiday period included. */
  holidays: readonly CalendarDate[];
  /** Weekend days made working days by the notice (调休上班). */
  workdays: readonly CalendarDate[];
  /** The State Council notice, or for a provisional year the regulation it is derived from. */
  source: string;
  /** True when no notice is loaded: the days off are derived from the regulations alone. */
  provisional: boolean;
}
