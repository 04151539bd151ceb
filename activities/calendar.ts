import type { CnCalendarYear } from '../domain/calendar';
import { resolveCalendarYear } from '../services/store/calendars';
import type { ActivityDeps } from './deps';

export function createCalendarActivities({ models }: ActivityDeps) {
  return {
    /**
     * The China business calendar from `fromYear` to `toYear`, each year as the API answers it
     * (loaded by ops, else shipped, else provisional): the workflow counts working days over these
     * and never reads a clock or a file for them.
     */
    async loadCalendar({ fromYear, toYear }: { fromYear: number; toYear: number }): Promise<CnCalendarYear[]> {
      const years: CnCalendarYear[] = [];
      for (let year = fromYear; year <= toYear; year += 1) years.push(await resolveCalendarYear(models, year));
      return years;
    },
  };
}
