import type { CnCalendarYear } from '../domain/calendar';
import { cachedFor } from '../store/cache';
import { resolveCalendarYear } from '../store/calendars';
import type { ActivityDeps } from './deps';

/** A year ops loads reaches clocks that start this long after it, as the catalogue does (5 s). */
const CALENDAR_TTL_MS = 5_000;

export function createCalendarActivities({ models }: ActivityDeps) {
  // Every application asks for the same few years: one read of each per TTL, not per workflow.
  const years = new Map<number, ReturnType<typeof cachedFor<CnCalendarYear>>>();
  const yearOf = (year: number) => {
    let cached = years.get(year);
    if (cached === undefined) {
      cached = cachedFor(CALENDAR_TTL_MS, () => resolveCalendarYear(models, year));
      years.set(year, cached);
    }
    return cached.get();
  };

  return {
    /**
     * The China business calendar from `fromYear` to `toYear`, each year as the API answers it
     * (loaded by ops, else shipped, else provisional): the workflow counts working days over these
     * and never reads a clock or a file for them.
     */
    async loadCalendar({ fromYear, toYear }: { fromYear: number; toYear: number }): Promise<CnCalendarYear[]> {
      if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || toYear < fromYear || toYear - fromYear > 10) {
        throw new RangeError(`not a range of calendar years: ${fromYear}-${toYear}`);
      }
      return Promise.all(Array.from({ length: toYear - fromYear + 1 }, (_, i) => yearOf(fromYear + i)));
    },
  };
}
