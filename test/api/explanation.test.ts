import { eventually, institution, newInstitutionId, newUscc, product, profile, useApiStack } from './support';

// One open deal per institution, names in every view, the explanation per role, and an
// application that follows up a forum meeting, over HTTP with a real worker.
//
// The products here offer leasing, which no other API test uses: the explanation's near misses
// then come from this file's products only (earlier runs' fail the industry rule too).

jest.setTimeout(120_000);

const { stack, api } = useApiStack({ settings: { topK: 3 } });
let ops: string;
const bankA = newInstitutionId();
const bankB = newInstitutionId();
const metBank = newInstitutionId();
const strictBank = newInstitutionId();

const leasing = { instrument: 'leasing', amountCny: 5_000_000, termMonths: 24, purpose: 'Lease a five-axis machining centre' } as const;

async function newEnterprise(): Promise<{ uscc: string; token: string }> {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  return { uscc, token };
}

/** The application once `count` deals are proposed and recorded. */
async function withDeals(applicationId: string, token: string, count: number) {
  return eventually(async () => {
    const answer = await api.call('GET', `/v1/applications/${applicationId}`, { token });
    return answer.body?.deals?.length === count && answer.body.status === 'in_due_diligence' ? answer.body : undefined;
  }, 30_000, `${count} deals of ${applicationId}`);
}

/** A meeting of the enterprise at a forum, as the forum store keeps a participant's agenda. */
async function storeMeeting(uscc: string, forumId: string, meetingId: string, institutionId: string, followUp: 'apply' | 'none') {
  const agendas = stack.models.applications.db.collection<{ _id: string; forumId: string; lastSeq: number; meetings: string }>('forum_agendas');
  const meeting = { meetingId, enterpriseUscc: uscc, institutionId, status: 'held', outcome: { held: true, followUp } };
  const _id = `${forumId}:${uscc}`;
  const stored = await agendas.findOne({ _id });
  const meetings = [...(stored ? (JSON.parse(stored.meetings) as object[]) : []), meeting];
  await agendas.replaceOne({ _id }, { forumId, lastSeq: 1, meetings: JSON.stringify(meetings) }, { upsert: true });
}

beforeAll(async () => {
  ops = stack.opsToken();
  const names: [string, string][] = [[bankA, '甲银行'], [bankB, '乙银行'], [metBank, '论坛银行'], [strictBank, '严格银行']];
  for (const [id, name] of names) {
    expect((await api.call('PUT', `/v1/institutions/${id}`, { token: ops, body: institution({ name }) })).status).toBe(200);
  }
  // Ticket fit orders them: 5M sits mid-range in a-1 (1M-25M), then a-2, b-1, and met-1 (5M at its lower edge).
  const products: [string, string, object][] = [
    [bankA, 'a-1', { name: '甲 设备租赁', minAmountCny: 1_000_000, maxAmountCny: 25_000_000 }],
    [bankA, 'a-2', { name: '甲 售后回租', minAmountCny: 1_000_000, maxAmountCny: 50_000_000 }],
    [bankB, 'b-1', { name: '乙 融资租赁', minAmountCny: 1_000_000, maxAmountCny: 200_000_000 }],
    [metBank, 'met-1', { name: '论坛 租赁', minAmountCny: 5_000_000, maxAmountCny: 500_000_000 }],
    [strictBank, 'strict-1', { name: '严格 租赁', minAmountCny: 1_000_000, maxAmountCny: 25_000_000, minRevenueCny: 1_000_000_000 }],
  ];
  for (const [institutionId, suffix, fields] of products) {
    const body = product({ instruments: ['leasing'], ...fields });
    expect((await api.call('PUT', `/v1/institutions/${institutionId}/products/${institutionId}-${suffix}`, { token: stack.institutionToken(institutionId), body })).status).toBe(200);
  }
});

describe('one open deal per institution, with names', () => {
  test('the second product of a bank waits; deals carry names; the explanation says why, for the enterprise and ops only', async () => {
    const { token } = await newEnterprise();
    const submitted = await api.call('POST', '/v1/applications', { token, body: leasing });
    expect(submitted.status).toBe(202);
    const applicationId = submitted.body.applicationId as string;

    const application = await withDeals(applicationId, token, 3);
    expect(application.deals.map((d: { productId: string }) => d.productId)).toEqual([`${bankA}-a-1`, `${bankB}-b-1`, `${metBank}-met-1`]);
    expect(application.deals[0]).toMatchObject({ institutionName: '甲银行', productName: '甲 设备租赁' });
    const inbox = await api.call('GET', `/v1/deals/${application.deals[0].dealId}`, { token: stack.institutionToken(bankA) });
    expect(inbox.body).toMatchObject({ institutionName: '甲银行', productName: '甲 设备租赁' });

    const explanation = await api.call('GET', `/v1/applications/${applicationId}/explanation`, { token });
    expect(explanation.status).toBe(200);
    expect(explanation.body).toMatchObject({ rulesVersion: 'matching-2', rankedAt: expect.any(String) });
    const outcomes = explanation.body.candidates.map((c: { productId: string; outcome: string }) => [c.productId, c.outcome]);
    expect(outcomes.slice(0, 4)).toEqual([
      [`${bankA}-a-1`, 'proposed'], [`${bankA}-a-2`, 'same_institution'], [`${bankB}-b-1`, 'proposed'], [`${metBank}-met-1`, 'proposed'],
    ]);
    expect(explanation.body.candidates[1]).toMatchObject({ institutionName: '甲银行', productName: '甲 售后回租', exclusions: [] });
    expect(explanation.body.candidates[4]).toMatchObject({
      productId: `${strictBank}-strict-1`, institutionName: '严格银行', outcome: 'excluded',
      exclusions: [{ code: 'revenue_below_minimum', message: expect.stringContaining('below the product\'s minimum') }],
    });

    expect((await api.call('GET', `/v1/applications/${applicationId}/explanation`, { token: ops })).body).toEqual(explanation.body);
    const other = await newEnterprise();
    expect((await api.call('GET', `/v1/applications/${applicationId}/explanation`, { token: other.token })).status).toBe(404);
    expect((await api.call('GET', `/v1/applications/${applicationId}/explanation`, { token: stack.institutionToken(bankA) })).status).toBe(403);
    expect((await api.call('GET', '/v1/applications/app-00000000000000000000/explanation', { token: ops })).status).toBe(404);

    // When bank A's deal ends, its waiting product is proposed in the backfill.
    const decline = await api.call('POST', `/v1/deals/${application.deals[0].dealId}/decision`, {
      token: stack.institutionToken(bankA), body: { action: 'decline', reason: 'Outside our leasing book' },
    });
    expect(decline.status).toBe(200);
    const after = await withDeals(applicationId, token, 4);
    expect(after.deals.find((d: { productId: string }) => d.productId === `${bankA}-a-2`)).toMatchObject({ status: 'proposed' });
    const later = await api.call('GET', `/v1/applications/${applicationId}/explanation`, { token });
    expect(later.body.candidates.slice(0, 2).map((c: { outcome: string }) => c.outcome)).toEqual(['proposed', 'proposed']);
  });
});

describe('an application that follows up a forum meeting', () => {
  test('the meeting\'s institution is proposed first and the application carries its source', async () => {
    const { uscc, token } = await newEnterprise();
    await storeMeeting(uscc, 'forum-ysd-1', 'meeting-1', metBank, 'apply');
    const source = { forumId: 'forum-ysd-1', meetingId: 'meeting-1' };
    const submitted = await api.call('POST', '/v1/applications', { token, body: { ...leasing, source } });
    expect(submitted.status).toBe(202);
    const application = await withDeals(submitted.body.applicationId, token, 3);
    expect(application.source).toEqual(source);
    expect(application.deals.map((d: { productId: string }) => d.productId)).toEqual([`${metBank}-met-1`, `${bankA}-a-1`, `${bankB}-b-1`]);
    const firstProposal = application.timeline.find((e: { type: string }) => e.type === 'deal.proposed');
    expect(firstProposal.data).toMatchObject({ productId: `${metBank}-met-1`, rank: 1 });
  });

  test('a meeting that is not the enterprise\'s own, has no "apply" follow-up, or a malformed source is refused and starts nothing', async () => {
    const { uscc, token } = await newEnterprise();
    const someoneElse = newUscc();
    await storeMeeting(uscc, 'forum-ysd-2', 'meeting-none', metBank, 'none');
    await storeMeeting(someoneElse, 'forum-ysd-2', 'meeting-theirs', metBank, 'apply');
    const refused = [
      { source: { forumId: 'forum-ysd-2', meetingId: 'meeting-none' }, message: 'has no outcome with followUp "apply"' },
      { source: { forumId: 'forum-ysd-2', meetingId: 'meeting-theirs' }, message: 'is not one of your meetings' },
      { source: { forumId: 'forum-nowhere', meetingId: 'meeting-1' }, message: 'is not one of your meetings' },
    ];
    for (const { source, message } of refused) {
      const answer = await api.call('POST', '/v1/applications', { token, body: { ...leasing, source } });
      expect(answer.status).toBe(400);
      expect(answer.body.issues).toEqual([{ path: 'source.meetingId', message: expect.stringContaining(message) }]);
    }
    const malformed = await api.call('POST', '/v1/applications', { token, body: { ...leasing, source: { forumId: 'forum-ysd-2' } } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.issues.map((issue: { path: string }) => issue.path)).toEqual(['source.meetingId']);
    const list = await api.call('GET', '/v1/applications', { token });
    expect(list.body.items).toEqual([]);
  });
});
