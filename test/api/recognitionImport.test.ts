import { readFileSync } from 'node:fs';
import path from 'node:path';
import { newUscc, tokenFor, useApiStack, type Answer } from './support';

// Importing a published recognition list: CSV or JSON, a report row by row, and the same list
// twice changing nothing.

jest.setTimeout(60_000);

const SAMPLE = readFileSync(path.join(__dirname, '../../tools/samples/shanghai-municipal-single-champions.csv'), 'utf8');
const HEADER = 'uscc,type,certificateNo,validFrom,validTo,name';

const { stack, api } = useApiStack({ worker: false });
let ops: string;

beforeAll(() => {
  ops = stack.opsToken();
});

async function postCsv(csv: string, token = ops): Promise<Answer> {
  const response = await fetch(`${api.baseUrl}/v1/registries/recognitions/import`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' }, body: csv,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const recordOf = async (uscc: string) => (await stack.models.recognitions.findById(uscc).lean())?.recognitions;

const row = (uscc: string, overrides: Record<string, string> = {}) => ({
  uscc, type: 'single_champion_municipal', certificateNo: `SHDXGJ-T-${uscc.slice(-6)}`, validFrom: '2025-01-01', validTo: '2027-12-31', name: '上海测试精密有限公司', ...overrides,
});

describe('POST /v1/registries/recognitions/import', () => {
  test('loads the Shanghai sample list, and loading it again changes nothing', async () => {
    const first = await postCsv(SAMPLE);
    expect(first.status).toBe(200);
    // An earlier run on the same database may have loaded it already.
    expect(first.body.accepted + first.body.unchanged).toBe(129);
    expect(first.body.rejected).toEqual([]);
    const [uscc, type, certificateNo, validFrom, validTo] = (SAMPLE.split('\n')[1] ?? '').split(',');
    expect(await recordOf(uscc as string)).toEqual(expect.arrayContaining([{ type, certificateNo, validFrom, validTo }]));

    const again = await postCsv(SAMPLE);
    expect(again.body).toEqual({ accepted: 0, unchanged: 129, rejected: [] });
  });

  test('reports each bad row by its position and loads the good ones', async () => {
    const good = newUscc('CN-SH');
    const twice = newUscc('CN-SH');
    const rows = [
      row(good),
      row('91310000MA1FL8TQ0W'),
      row(newUscc('CN-SH'), { validTo: '2028-12-31' }),
      row(newUscc('CN-SH'), { type: 'famous_brand' }),
      row(twice),
      row(twice, { validTo: '2026-12-31' }),
      row(good),
    ];
    const answer = await api.call('POST', '/v1/registries/recognitions/import', { token: ops, body: rows });
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(2);
    expect(answer.body.unchanged).toBe(1);
    expect(answer.body.rejected).toEqual([
      { row: 2, uscc: '91310000MA1FL8TQ0W', issues: [{ path: 'uscc', message: expect.stringMatching(/organisation code/) }] },
      { row: 3, uscc: rows[2]?.uscc, issues: [{ path: 'validTo', message: expect.stringMatching(/at most 3 years/) }] },
      { row: 4, uscc: rows[3]?.uscc, issues: [{ path: 'type', message: expect.any(String) }] },
      { row: 6, uscc: twice, issues: [{ path: 'validTo', message: expect.stringMatching(/row 5 gives .* other dates/) }] },
    ]);
    expect(await recordOf(good)).toEqual([{ type: 'single_champion_municipal', certificateNo: rows[0]?.certificateNo, validFrom: '2025-01-01', validTo: '2027-12-31' }]);
    expect(await stack.models.recognitions.exists({ _id: rows[2]?.uscc })).toBeNull();
  });

  test('adds a certificate to those on record and updates the dates of one listed again', async () => {
    const uscc = newUscc('CN-SH');
    const littleGiant = { type: 'little_giant', certificateNo: 'XJR-2024-31-0001', validFrom: '2024-07-01', validTo: '2027-06-30' };
    await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: ops, body: [littleGiant] });
    const champion = row(uscc);
    const csv = [
      HEADER,
      Object.values(champion).join(','),
      [uscc, littleGiant.type, littleGiant.certificateNo, littleGiant.validFrom, '2027-06-29', '"上海测试精密有限公司, 嘉定"'].join(','),
    ];
    const answer = await postCsv(`${csv.join('\r\n')}\r\n`);
    expect(answer.body).toEqual({ accepted: 2, unchanged: 0, rejected: [] });
    expect(await recordOf(uscc)).toEqual([
      { ...littleGiant, validTo: '2027-06-29' },
      { type: champion.type, certificateNo: champion.certificateNo, validFrom: champion.validFrom, validTo: champion.validTo },
    ]);
  });

  test('reports a CSV row with missing fields, and refuses a file whose header is not the contract\'s', async () => {
    const uscc = newUscc('CN-SH');
    const short = await postCsv(`${HEADER}\n${uscc},single_champion_municipal,SHDXGJ-X-1\n`);
    expect(short.body.rejected).toEqual([{ row: 1, uscc, issues: expect.arrayContaining([expect.objectContaining({ path: 'validFrom' })]) }]);

    const wrongHeader = await postCsv(`code,type,certificate,from,to,name\n${Object.values(row(uscc)).join(',')}\n`);
    expect(wrongHeader.status).toBe(400);
    expect(wrongHeader.body).toEqual({ error: 'validation_failed', issues: [{ path: '', message: expect.stringMatching(/header must be uscc,type,certificateNo/) }] });
    expect(await stack.models.recognitions.exists({ _id: uscc })).toBeNull();
  });

  test('is for ops only', async () => {
    const enterprise = newUscc('CN-SH');
    const answer = await postCsv(SAMPLE, tokenFor(stack.config, { sub: `user@${enterprise}`, role: 'enterprise', org: enterprise }));
    expect(answer.status).toBe(403);
  });
});
