import { ForumEvent } from '../../schemas';
import { createKafka, startConsumer } from '../../adapters/kafka';
import { createTemporalClient } from '../../adapters/temporal';
import { forumWorkflowId } from '../../workflows/forumMessages';
import { uniqueSuffix } from '../support/stack';
import { eventually, institution, newInstitutionId, newUscc, product, profile, tokenFor, useApiStack } from './support';

// The forums over HTTP with a real worker: every route and role, 400 with nothing stored, 404 for
// another party's meeting, 409 for a status that does not allow a command, and the forum's events
// read back from its topic. The timers (close, reminder, held) are covered in skipped time by
// test/workflows/forum.test.ts; here ops schedules on request.

jest.setTimeout(180_000);

const { stack, api } = useApiStack();
let ops: string;
const suffix = uniqueSuffix();
const forumId = `forum-${suffix}`;
const bankA = newInstitutionId();
const bankB = newInstitutionId();
const [e1, e2, e3, e4] = [newUscc(), newUscc(), newUscc(), newUscc()] as [string, string, string, string];

const enterpriseToken = (uscc: string) => tokenFor(stack.config, { sub: `user@${uscc}`, role: 'enterprise', org: uscc });
const institutionToken = (id: string) => tokenFor(stack.config, { sub: `officer@${id}`, role: 'institution', org: id });
const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();

const forum = {
  title: '产融对接会 · 产业金融',
  theme: 'industrial_finance',
  venue: '拉萨会展中心',
  registrationClosesAt: hours(24),
  startsAt: hours(72),
  endsAt: hours(76),
  slotMinutes: 60,
  tables: 2,
};

beforeAll(async () => {
  ops = stack.opsToken();
  for (const id of [bankA, bankB]) {
    expect((await api.call('PUT', `/v1/institutions/${id}`, { token: ops, body: institution({ name: `银行 ${id}` }) })).status).toBe(200);
    expect((await api.call('PUT', `/v1/institutions/${id}/products/${id}-ip`, { token: institutionToken(id), body: product() })).status).toBe(200);
  }
  for (const [uscc, name] of [[e1, '甲公司'], [e2, '乙公司'], [e3, '丙公司']] as const) {
    expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token: enterpriseToken(uscc), body: profile({ name }) })).status).toBe(200);
  }
});
afterAll(async () => {
  // The forum would otherwise wait weeks for its timers on a task queue no worker serves any more.
  if (stack) {
    const temporal = await createTemporalClient(stack.config);
    await temporal.client.workflow.getHandle(forumWorkflowId(forumId)).terminate('test over').catch(() => undefined);
    await temporal.close();
  }
  await stack?.close();
});

describe('creating and reading forums', () => {
  test('bad input answers 400 and stores nothing; only ops creates', async () => {
    const bad = await api.call('PUT', `/v1/forums/${forumId}`, { token: ops, body: { ...forum, theme: 'karaoke', tables: 0, endsAt: forum.startsAt, extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['extra', 'tables', 'theme']);
    const closed = await api.call('PUT', `/v1/forums/${forumId}`, { token: ops, body: { ...forum, registrationClosesAt: hours(-1) } });
    expect(closed.status).toBe(400);
    expect(closed.body.issues[0].path).toBe('registrationClosesAt');
    const inverted = await api.call('PUT', `/v1/forums/${forumId}`, { token: ops, body: { ...forum, endsAt: hours(71) } });
    expect(inverted.status).toBe(400);
    expect((await api.call('PUT', `/v1/forums/${forumId}`, { token: enterpriseToken(e1), body: forum })).status).toBe(403);
    expect((await api.call('PUT', `/v1/forums/${forumId}`, { body: forum })).status).toBe(401);
    expect((await api.call('GET', `/v1/forums/${forumId}`, { token: ops })).status).toBe(404);
    expect(await stack.models.forums.countDocuments({ _id: forumId })).toBe(0);
  });

  test('ops creates a forum (200, like every PUT), the same again answers 200, a different one 409', async () => {
    const created = await api.call('PUT', `/v1/forums/${forumId}`, { token: ops, body: forum });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ forumId, status: 'open', theme: 'industrial_finance', enterprisesRegistered: 0, meetings: 0 });
    expect((await api.call('PUT', `/v1/forums/${forumId}`, { token: ops, body: forum })).status).toBe(200);
    expect((await api.call('PUT', `/v1/forums/${forumId}`, { token: ops, body: { ...forum, tables: 9 } })).status).toBe(409);
  });

  test('every role lists and reads forums; an unknown one is 404', async () => {
    for (const token of [ops, enterpriseToken(e1), institutionToken(bankA)]) {
      const list = await api.call('GET', '/v1/forums', { token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((f: { forumId: string }) => f.forumId)).toContain(forumId);
      expect((await api.call('GET', `/v1/forums/${forumId}`, { token })).body).toMatchObject({ forumId, status: 'open' });
    }
    expect((await api.call('GET', '/v1/forums/no-such-forum', { token: ops })).status).toBe(404);
    expect((await api.call('GET', '/v1/forums', {})).status).toBe(401);
  });
});

describe('registration, scheduling, agendas and meetings', () => {
  const register = (token: string, body: unknown, id = forumId) => api.call('POST', `/v1/forums/${id}/registrations`, { token, body });

  test('enterprises and institutions register and withdraw their own; bad input 400; ops may not register', async () => {
    const bad = await register(enterpriseToken(e1), { instruments: ['magic'], amountCny: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['amountCny', 'instruments.0']);
    expect((await register(enterpriseToken(e4), { instruments: ['ip_pledge_loan'], amountCny: 5_000_000 })).status).toBe(409); // no profile
    const foreign = await register(institutionToken(bankA), { productIds: [`${bankB}-ip`], meetingsCapacity: 2 });
    expect(foreign.status).toBe(400);
    expect(foreign.body.issues[0].path).toBe('productIds.0');
    expect((await register(ops, { instruments: ['ip_pledge_loan'], amountCny: 5_000_000 })).status).toBe(403);
    expect((await register(enterpriseToken(e1), { instruments: ['ip_pledge_loan'], amountCny: 5_000_000 }, 'no-such-forum')).status).toBe(404);
    expect((await api.call('GET', `/v1/forums/${forumId}`, { token: ops })).body.enterprisesRegistered).toBe(0);

    const first = await register(enterpriseToken(e1), { instruments: ['ip_pledge_loan', 'credit_loan'], amountCny: 5_000_000 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ party: 'enterprise', enterpriseUscc: e1, instruments: ['ip_pledge_loan', 'credit_loan'] });
    expect((await register(enterpriseToken(e2), { instruments: ['ip_pledge_loan'], amountCny: 8_000_000 })).status).toBe(200);
    // e3 asks for leasing, which no registered product offers: it registers but meets nobody.
    expect((await register(enterpriseToken(e3), { instruments: ['leasing'], amountCny: 5_000_000 })).status).toBe(200);
    expect((await register(institutionToken(bankA), { productIds: [`${bankA}-ip`], meetingsCapacity: 2 })).status).toBe(200);
    expect((await register(institutionToken(bankB), { productIds: [`${bankB}-ip`], meetingsCapacity: 1 })).status).toBe(200);

    const withdrawn = await api.call('DELETE', `/v1/forums/${forumId}/registrations`, { token: institutionToken(bankB) });
    expect(withdrawn).toMatchObject({ status: 200, body: { forumId, withdrawn: true } });
    expect((await api.call('DELETE', `/v1/forums/${forumId}/registrations`, { token: institutionToken(bankB) })).status).toBe(404);
    expect((await register(institutionToken(bankB), { productIds: [`${bankB}-ip`], meetingsCapacity: 2 })).status).toBe(200);

    const asOps = (await api.call('GET', `/v1/forums/${forumId}`, { token: ops })).body;
    expect(asOps).toMatchObject({ enterprisesRegistered: 3, institutionsRegistered: 2 });
    expect(asOps.registrations).toHaveLength(5);
    const asE1 = (await api.call('GET', `/v1/forums/${forumId}`, { token: enterpriseToken(e1) })).body;
    expect(asE1.registrations).toEqual([expect.objectContaining({ enterpriseUscc: e1 })]);
  });

  test('only ops schedules; then registration is closed (409) and the agendas fill', async () => {
    expect((await api.call('POST', `/v1/forums/${forumId}/schedule`, { token: enterpriseToken(e1) })).status).toBe(403);
    const scheduled = await api.call('POST', `/v1/forums/${forumId}/schedule`, { token: ops });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', meetings: 4 });
    expect((await api.call('POST', `/v1/forums/${forumId}/schedule`, { token: ops })).status).toBe(409);
    expect((await register(enterpriseToken(e1), { instruments: ['ip_pledge_loan'], amountCny: 5_000_000 })).status).toBe(409);
    expect((await api.call('DELETE', `/v1/forums/${forumId}/registrations`, { token: enterpriseToken(e2) })).status).toBe(409);

    const all = (await api.call('GET', `/v1/forums/${forumId}/agenda`, { token: ops })).body;
    expect(all.items).toHaveLength(4);
    expect(all.items[0]).toMatchObject({
      meetingId: expect.any(String), enterpriseName: expect.stringMatching(/公司$/), institutionName: expect.stringMatching(/^银行 /),
      table: expect.any(Number), score: expect.any(Number), reasons: expect.any(Array), status: 'scheduled',
    });
    const own = (await api.call('GET', `/v1/forums/${forumId}/agenda`, { token: enterpriseToken(e1) })).body.items;
    expect(own.map((m: { institutionId: string }) => m.institutionId).sort()).toEqual([bankA, bankB].sort());
    expect(own.every((m: { enterpriseUscc: string }) => m.enterpriseUscc === e1)).toBe(true);
    expect(own[0].startsAt < own[1].startsAt).toBe(true);
    const bank = (await api.call('GET', `/v1/forums/${forumId}/agenda`, { token: institutionToken(bankA) })).body.items;
    expect(bank.map((m: { enterpriseUscc: string }) => m.enterpriseUscc).sort()).toEqual([e1, e2].sort());
    expect((await api.call('GET', `/v1/forums/${forumId}/agenda`, { token: enterpriseToken(e3) })).body.items).toEqual([]);
    expect((await api.call('GET', '/v1/forums/no-such-forum/agenda', { token: ops })).status).toBe(404);
  });

  test('only a meeting\'s two parties confirm, decline or record its outcome; others get 404, a wrong status 409', async () => {
    const items = (await api.call('GET', `/v1/forums/${forumId}/agenda`, { token: ops })).body.items as { meetingId: string; enterpriseUscc: string; institutionId: string }[];
    const e1a = items.find((m) => m.enterpriseUscc === e1 && m.institutionId === bankA) as { meetingId: string };
    const e2b = items.find((m) => m.enterpriseUscc === e2 && m.institutionId === bankB) as { meetingId: string };
    const path = (meetingId: string, action: string) => `/v1/forums/${forumId}/meetings/${meetingId}/${action}`;

    expect((await api.call('POST', path(e1a.meetingId, 'confirm'), { token: enterpriseToken(e2) })).status).toBe(404);
    expect((await api.call('POST', path(e1a.meetingId, 'confirm'), { token: institutionToken(bankB) })).status).toBe(404);
    expect((await api.call('POST', path(e1a.meetingId, 'confirm'), { token: ops })).status).toBe(403);
    expect((await api.call('POST', path('no-such-meeting', 'confirm'), { token: enterpriseToken(e1) })).status).toBe(404);
    expect((await api.call('POST', path(e1a.meetingId, 'outcome'), { token: enterpriseToken(e1), body: { held: true, followUp: 'apply' } })).status).toBe(409);

    const confirmed = await api.call('POST', path(e1a.meetingId, 'confirm'), { token: enterpriseToken(e1) });
    expect(confirmed).toMatchObject({ status: 200, body: { meetingId: e1a.meetingId, status: 'confirmed' } });
    expect((await api.call('POST', path(e1a.meetingId, 'confirm'), { token: institutionToken(bankA) })).status).toBe(409);
    const badOutcome = await api.call('POST', path(e1a.meetingId, 'outcome'), { token: institutionToken(bankA), body: { held: 'yes', followUp: 'maybe' } });
    expect(badOutcome.status).toBe(400);
    const outcome = await api.call('POST', path(e1a.meetingId, 'outcome'), { token: institutionToken(bankA), body: { held: true, followUp: 'apply', note: '下周出条款书' } });
    expect(outcome).toMatchObject({ status: 200, body: { status: 'held', outcome: { held: true, followUp: 'apply', note: '下周出条款书' } } });

    const declined = await api.call('POST', path(e2b.meetingId, 'decline'), { token: institutionToken(bankB) });
    expect(declined).toMatchObject({ status: 200, body: { meetingId: e2b.meetingId, status: 'declined' } });
    expect((await api.call('POST', path(e2b.meetingId, 'confirm'), { token: enterpriseToken(e2) })).status).toBe(409);
    const e2Agenda = (await api.call('GET', `/v1/forums/${forumId}/agenda`, { token: enterpriseToken(e2) })).body.items;
    expect(e2Agenda.find((m: { meetingId: string }) => m.meetingId === e2b.meetingId).status).toBe('declined');
    expect((await api.call('GET', `/v1/forums/${forumId}`, { token: ops })).body.meetings).toBe(3);
  });

  test('each step is an event on the forum topic, keyed by forumId, with a gap-free seq', async () => {
    const kafka = createKafka(stack.config, stack.logger, 'forum-events-reader');
    const seen = new Map<number, ForumEvent>();
    const consumer = await startConsumer(kafka, {
      groupId: `forum-reader-${uniqueSuffix()}`,
      topic: stack.config.kafka.forumTopic,
      fromBeginning: true,
      eachMessage: async ({ message }) => {
        if (String(message.key) !== forumId) return;
        const event = ForumEvent.parse(JSON.parse(String(message.value)));
        seen.set(event.seq, event);
      },
    });
    try {
      await eventually(async () => ([...seen.values()].some((e) => e.type === 'meeting.declined') ? true : undefined), 60_000, 'the forum events');
    } finally {
      await consumer.close();
    }
    const events = [...seen.values()].sort((a, b) => a.seq - b.seq);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('forum.opened');
    expect(types.filter((t) => t === 'forum.registration_added')).toHaveLength(6);
    expect(types.filter((t) => t === 'forum.registration_withdrawn')).toHaveLength(1);
    expect(types.filter((t) => t === 'meeting.scheduled')).toHaveLength(4);
    expect(types).toEqual(expect.arrayContaining(['forum.scheduled', 'meeting.confirmed', 'meeting.held', 'meeting.declined']));
    expect(events.find((e) => e.type === 'meeting.held')).toMatchObject({ forumId, enterpriseUscc: e1, institutionId: bankA, data: expect.objectContaining({ followUp: 'apply' }) });
  });
});
