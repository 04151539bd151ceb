import { z } from 'zod';
import { isIsoDate, isWeekend } from './beijingDate';
import { IsoDate } from './common';

/** The years a China business calendar may be read or loaded for: from the first year of the 2024 holiday regulations. */
export const CALENDAR_YEAR_MIN = 2025;
export const CALENDAR_YEAR_MAX = 2100;

export const CalendarYearNumber = z.coerce
  .number()
  .int('year must be a whole number')
  .min(CALENDAR_YEAR_MIN, `year must be ${CALENDAR_YEAR_MIN} or later (the 2024 holiday regulations apply from 2025)`)
  .max(CALENDAR_YEAR_MAX, `year must be ${CALENDAR_YEAR_MAX} or earlier`);

export const CalendarYearParams = z.strictObject({ year: CalendarYearNumber });

const dates = (what: string) => z.array(IsoDate).max(366, `at most 366 ${what}`);

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

/** Body of `PUT /v1/calendars/cn/:year`: one year's State Council notice. */
export const CnCalendarYearInput = z
  .strictObject({
    year: z.int(),
    holidays: dates('holidays'),
    workdays: dates('workdays'),
    source: z.string().trim().min(1, 'source is required: the notice this year is taken from').max(500),
  })
  .superRefine((input, ctx) => {
    const prefix = `${input.year}-`;
    for (const field of ['holidays', 'workdays'] as const) {
      input[field].forEach((date, index) => {
        if (!date.startsWith(prefix)) ctx.addIssue({ code: 'custom', path: [field, index], message: `${date} is not in ${input.year}` });
      });
      for (const date of duplicates(input[field])) ctx.addIssue({ code: 'custom', path: [field], message: `${date} is listed twice` });
    }
    const holidays = new Set(input.holidays);
    input.workdays.forEach((date, index) => {
      if (holidays.has(date)) ctx.addIssue({ code: 'custom', path: ['workdays', index], message: `${date} cannot be both a holiday and a working day` });
      else if (isIsoDate(date) && !isWeekend(date)) ctx.addIssue({ code: 'custom', path: ['workdays', index], message: `${date} is a weekday; workdays lists only the weekend days worked (调休上班)` });
    });
  });
export type CnCalendarYearInput = z.infer<typeof CnCalendarYearInput>;

export const CnCalendarYear = z.object({
  year: z.int(),
  holidays: z.array(IsoDate),
  workdays: z.array(IsoDate),
  source: z.string(),
  provisional: z.boolean(),
});
export type CnCalendarYear = z.infer<typeof CnCalendarYear>;
