import { tokenFor, useApiStack } from './support';

// The China business calendar over HTTP: shipped, provisional and loaded years, and what a bad
// notice answers.

jest.setTimeout(60_000);

const { stack, api } = useApiStack({ worker: false });
let ops: string;
let institution: string;

beforeAll(() => {
  ops = stack.opsToken();
  institution = tokenFor(stack.config, { sub: 'officer@calendar-bank', role: 'institution', org: 'calendar-bank' });
});

const notice2099 = {
  year: 2099,
  holidays: ['2099-10-01', '2099-10-02', '2099-10-03', '2099-10-04', '2099-10-05', '2099-01-01'],
  workdays: ['2099-10-10', '2099-09-26'],
  source: '国务院办公厅关于2099年部分节假日安排的通知（test）',
};

describe('GET /v1/calendars/cn/:year', () => {
  test('answers a shipped year with its notice to any role', async () => {
    const answer = await api.call('GET', '/v1/calendars/cn/2026', { token: institution });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ year: 2026, provisional: false, source: expect.stringContaining('2026年部分节假日安排的通知') });
    expect(answer.body.workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(answer.body.holidays).toContain('2026-10-07');
  });

  test('answers a year without a notice as provisional, with the statutory holidays only', async () => {
    const answer = await api.call('GET', '/v1/calendars/cn/2098', { token: ops });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ year: 2098, provisional: true, workdays: [] });
    expect(answer.body.holidays).toHaveLength(13);
  });

  test('refuses a year before the 2024 regulations apply', async () => {
    const answer = await api.call('GET', '/v1/calendars/cn/2019', { token: ops });
    expect(answer.status).toBe(400);
    expect(answer.body.issues[0].path).toBe('params.year');
  });
});

describe('PUT /v1/calendars/cn/:year', () => {
  test('loads a notice that GET then answers, sorted and no longer provisional', async () => {
    const put = await api.call('PUT', '/v1/calendars/cn/2099', { token: ops, body: notice2099 });
    expect(put.status).toBe(200);
    const get = await api.call('GET', '/v1/calendars/cn/2099', { token: ops });
    expect(get.body).toEqual({
      year: 2099,
      holidays: ['2099-01-01', '2099-10-01', '2099-10-02', '2099-10-03', '2099-10-04', '2099-10-05'],
      workdays: ['2099-09-26', '2099-10-10'],
      source: notice2099.source,
      provisional: false,
    });
  });

  test.each([
    ['a date outside the year', { holidays: ['2098-12-31'] }, 'holidays.0'],
    ['a holiday that is also a workday', { holidays: ['2099-10-10'], workdays: ['2099-10-10'] }, 'workdays.0'],
    ['a weekday among the workdays', { workdays: ['2099-10-07'] }, 'workdays.0'],
    ['a date listed twice', { holidays: ['2099-10-01', '2099-10-01'] }, 'holidays'],
    ['no source', { source: ' ' }, 'source'],
    ['a year other than the path\'s', { year: 2096 }, 'year'],
  ])('answers 400 for %s and stores nothing', async (_what, change, path) => {
    const before = await api.call('GET', '/v1/calendars/cn/2097', { token: ops });
    const answer = await api.call('PUT', '/v1/calendars/cn/2097', { token: ops, body: { ...notice2099, year: 2097, holidays: [], workdays: [], ...change } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('validation_failed');
    expect(answer.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    const after = await api.call('GET', '/v1/calendars/cn/2097', { token: ops });
    expect(after.body).toEqual(before.body);
  });

  test('is for ops only', async () => {
    const answer = await api.call('PUT', '/v1/calendars/cn/2099', { token: institution, body: notice2099 });
    expect(answer.status).toBe(403);
  });
});
