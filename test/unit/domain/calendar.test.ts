import { isWorkday } from 'chinese-days';
import {
  SHIPPED_CN_CALENDARS, addCalendarYears, beijingDateOf, createBusinessCalendar, datesOfYear, endOfBeijingDay,
  provisionalCalendarYear, statutoryHolidays, type CnCalendarYear,
} from '../../../domain/calendar';

const calendar = createBusinessCalendar();

describe('the shipped China business calendar', () => {
  it.each([2025, 2026])('agrees with the chinese-days package on every day of %i', (year) => {
    const disagreements = datesOfYear(year).filter((date) => calendar.isWorkingDay(date) !== isWorkday(date));
    expect(disagreements).toEqual([]);
  });

  it('names its State Council notice for each shipped year and is not provisional', () => {
    for (const year of SHIPPED_CN_CALENDARS) {
      expect(year.source).toMatch(new RegExp(`${year.year}年部分节假日安排的通知`));
      expect(year.provisional).toBe(false);
    }
  });
});

describe('Beijing dates', () => {
  it('turns at 16:00 UTC, so the early Beijing morning is already the next day', () => {
    expect(beijingDateOf('2026-01-01T15:59:59.999Z')).toBe('2026-01-01');
    expect(beijingDateOf('2026-01-01T16:00:00.000Z')).toBe('2026-01-02');
    expect(endOfBeijingDay('2026-09-30')).toBe('2026-09-30T16:00:00.000Z');
  });

  it('adds years on the same day, 29 February becoming 28 February', () => {
    expect(addCalendarYears('2025-03-10', 3)).toBe('2028-03-10');
    expect(addCalendarYears('2028-02-29', 3)).toBe('2031-02-28');
  });
});

describe('addWorkingDays', () => {
  it('counts from the day after the Beijing date and ends at 24:00 Beijing time', () => {
    // Monday 2026-03-02 10:00 Beijing: 3 working days end at the end of Thursday.
    expect(calendar.addWorkingDays('2026-03-02T02:00:00Z', 3)).toEqual({
      deadline: '2026-03-05T16:00:00.000Z', lastWorkingDay: '2026-03-05', provisional: false,
    });
  });

  it('uses the Beijing date of a moment late on a UTC evening', () => {
    // 2026-03-05T17:00Z is Friday 01:00 in Beijing: one working day is Monday 9 March.
    expect(calendar.addWorkingDays('2026-03-05T17:00:00Z', 1).lastWorkingDay).toBe('2026-03-09');
  });

  it('skips National Day 2026 and counts its make-up Saturday', () => {
    // Friday 2026-09-18: Sat 19 off, Sun 20 worked (调休), Mon 21 … Thu 24, Fri 25 Mid-Autumn.
    expect(calendar.addWorkingDays('2026-09-18T04:00:00Z', 1).lastWorkingDay).toBe('2026-09-20');
    // Wednesday 30 September: 1–7 October off, Thu 8, Fri 9, Sat 10 worked.
    expect(calendar.addWorkingDays('2026-09-30T04:00:00Z', 1).lastWorkingDay).toBe('2026-10-08');
    expect(calendar.addWorkingDays('2026-09-30T04:00:00Z', 3).lastWorkingDay).toBe('2026-10-10');
  });

  it('skips the Spring Festival 2026 and counts its make-up Saturdays', () => {
    // Friday 13 February: Sat 14 worked, 15–23 off, Tue 24 next.
    expect(calendar.addWorkingDays('2026-02-13T04:00:00Z', 1).lastWorkingDay).toBe('2026-02-14');
    expect(calendar.addWorkingDays('2026-02-13T04:00:00Z', 2).lastWorkingDay).toBe('2026-02-24');
  });

  it('says when it counted a day of a year without a loaded notice', () => {
    const lateIn2026 = calendar.addWorkingDays('2026-12-30T04:00:00Z', 1);
    expect(lateIn2026).toMatchObject({ lastWorkingDay: '2026-12-31', provisional: false });
    const into2027 = calendar.addWorkingDays('2026-12-30T04:00:00Z', 2);
    // 1 January 2027 is New Year's Day, then a weekend.
    expect(into2027).toMatchObject({ lastWorkingDay: '2027-01-04', provisional: true });
  });

  it('lets a loaded notice replace the provisional year', () => {
    const notice2027: CnCalendarYear = {
      year: 2027, holidays: ['2027-01-01', '2027-01-04'], workdays: ['2027-01-02'], source: 'test notice', provisional: false,
    };
    const loaded = createBusinessCalendar([notice2027]);
    expect(loaded.addWorkingDays('2026-12-30T04:00:00Z', 2)).toMatchObject({ lastWorkingDay: '2027-01-02', provisional: false });
    expect(loaded.isWorkingDay('2027-01-04')).toBe(false);
  });

  it('refuses a count that is not a whole number of at least one', () => {
    expect(() => calendar.addWorkingDays('2026-03-02T02:00:00Z', 0)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('2026-03-02T02:00:00Z', 1.5)).toThrow(RangeError);
  });
});

describe('provisional years', () => {
  it('derive the statutory holidays of 2027 from lunar dates and the Qingming solar term', () => {
    expect(statutoryHolidays(2027)).toEqual([
      '2027-01-01',
      '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08',
      '2027-04-05',
      '2027-05-01', '2027-05-02',
      '2027-06-09',
      '2027-09-15',
      '2027-10-01', '2027-10-02', '2027-10-03',
    ]);
    expect(provisionalCalendarYear(2027)).toMatchObject({ workdays: [], provisional: true });
  });

  it('list a Mid-Autumn that falls on National Day once', () => {
    // 2031-10-01 is 八月十五.
    expect(statutoryHolidays(2031).filter((d) => d.startsWith('2031-10'))).toEqual(['2031-10-01', '2031-10-02', '2031-10-03']);
  });

  it('match the holidays the 2026 notice grants, leaving out its swaps', () => {
    const shipped = new Set(SHIPPED_CN_CALENDARS.find((c) => c.year === 2026)?.holidays);
    for (const day of statutoryHolidays(2026)) expect(shipped.has(day)).toBe(true);
  });
});

describe('workingDaysBetween (how long the due-diligence clock stood still)', () => {
  test('counts the working days after the first moment\'s Beijing date up to the second\'s', () => {
    // Tuesday 13 to Friday 16 October 2026: 14, 15, 16.
    expect(calendar.workingDaysBetween('2026-10-13T02:00:00Z', '2026-10-16T02:00:00Z')).toBe(3);
    // Across National Day: 30 September to 10 October counts 8, 9 and the make-up Saturday 10.
    expect(calendar.workingDaysBetween('2026-09-30T02:00:00Z', '2026-10-10T02:00:00Z')).toBe(3);
    // The same Beijing date, or a later first moment: nothing waited.
    expect(calendar.workingDaysBetween('2026-10-13T01:00:00Z', '2026-10-13T15:00:00Z')).toBe(0);
    expect(calendar.workingDaysBetween('2026-10-16T02:00:00Z', '2026-10-13T02:00:00Z')).toBe(0);
    // 16:00 UTC is already the next Beijing date.
    expect(calendar.workingDaysBetween('2026-10-13T02:00:00Z', '2026-10-13T16:00:00Z')).toBe(1);
  });

  test('agrees with addWorkingDays: N working days on, N working days between', () => {
    for (const n of [1, 5, 20, 60]) {
      const { deadline } = calendar.addWorkingDays('2026-02-10T04:00:00Z', n);
      expect(calendar.workingDaysBetween('2026-02-10T04:00:00Z', Date.parse(deadline) - 1)).toBe(n);
    }
  });
});
