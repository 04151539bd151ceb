import type { ForumView, Meeting } from '../../schemas';
import type { Principal } from '../../schemas/http';
import { mulberry32, type SeedData } from '../seed/generate';
import { planForums } from '../seed/forums';
import { sleep, type ApiClient } from './http';

// One forum end to end beside the demo's applications, through the API only: ops creates it with
// registration closing in half a minute and one five-minute slot starting a minute later; the
// seeded parties register; ops schedules at once; each meeting is confirmed or declined by one of
// its parties (a declined one's place goes to the next stable pair); outcomes are recorded once
// the slot has passed; the forum turns `held` when it ends.

export interface ForumDemoSummary {
  forumId: string;
  status: ForumView['status'] | 'not_created';
  registrations: number;
  meetings: number;
  byStatus: Partial<Record<Meeting['status'], number>>;
  replacements: number;
  followUpApply: number;
}

export interface ForumDemoOptions {
  client: ApiClient;
  data: SeedData;
  seed: number;
  runId: string;
  /** Epoch ms: the demo stops waiting then and reports what there is. */
  deadline: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const SECOND = 1_000;

export async function runForumDemo({ client, data, seed, runId, deadline, log, signal }: ForumDemoOptions): Promise<ForumDemoSummary> {
  const rng = mulberry32(seed);
  const ops: Principal = { role: 'ops', sub: 'demo:ops' };
  const [plan] = planForums(data, Date.now(), seed).filter((f) => f.forum.theme === 'general');
  if (!plan) throw new Error('the seed plans no general forum');
  const forumId = `demo-${runId}`;
  const now = Date.now();
  const startsAt = Math.ceil((now + 60 * SECOND) / 60_000) * 60_000;
  const forum = {
    ...plan.forum,
    title: `${plan.forum.title}（演示）`,
    registrationClosesAt: new Date(now + 30 * SECOND).toISOString(),
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + 5 * 60_000).toISOString(),
    slotMinutes: 5,
    tables: 10,
  };
  const summary: ForumDemoSummary = { forumId, status: 'not_created', registrations: 0, meetings: 0, byStatus: {}, replacements: 0, followUpApply: 0 };
  const created = await client.call<ForumView>(ops, 'PUT', `/v1/forums/${forumId}`, forum);
  if (created.status !== 200 || created.body.status !== 'open') {
    log(`forum demo: creating ${forumId} answered ${created.status}`);
    return summary;
  }
  summary.status = 'open';

  const partyOf = (m: Meeting, side: 'enterprise' | 'institution'): Principal => (side === 'enterprise'
    ? { role: 'enterprise', sub: `demo:${m.enterpriseUscc}`, org: m.enterpriseUscc }
    : { role: 'institution', sub: `demo:${m.institutionId}`, org: m.institutionId });
  const registrations = [
    ...plan.enterprises.map(({ uscc, ...body }) => client.call({ role: 'enterprise', sub: `demo:${uscc}`, org: uscc }, 'POST', `/v1/forums/${forumId}/registrations`, body)),
    ...plan.institutions.map(({ institutionId, ...body }) => client.call({ role: 'institution', sub: `demo:${institutionId}`, org: institutionId }, 'POST', `/v1/forums/${forumId}/registrations`, body)),
  ];
  summary.registrations = (await Promise.all(registrations)).filter((a) => a.status === 200 || a.status === 202).length;
  const scheduled = await client.call<ForumView>(ops, 'POST', `/v1/forums/${forumId}/schedule`);
  log(`forum demo: ${forumId} scheduled (${scheduled.status}) with ${summary.registrations} registrations`);

  const agenda = async (): Promise<Meeting[]> => (await client.call<{ items: Meeting[] }>(ops, 'GET', `/v1/forums/${forumId}/agenda`)).body.items ?? [];
  // Each meeting's parties answer: about one in six is declined by the institution, the rest confirmed by the enterprise.
  const answered = new Set<string>();
  for (let round = 0; round < 5; round += 1) {
    const waiting = (await agenda()).filter((m) => m.status === 'scheduled' && !answered.has(m.meetingId));
    if (waiting.length === 0) break;
    for (const m of waiting) {
      answered.add(m.meetingId);
      if (rng() < 1 / 6) await client.call(partyOf(m, 'institution'), 'POST', `/v1/forums/${forumId}/meetings/${m.meetingId}/decline`);
      else await client.call(partyOf(m, 'enterprise'), 'POST', `/v1/forums/${forumId}/meetings/${m.meetingId}/confirm`);
    }
  }

  // Outcomes once the slot is over; then the forum ends.
  const endsAt = Date.parse(forum.endsAt);
  while (Date.now() < Math.min(endsAt, deadline) && !signal?.aborted) await sleep(2 * SECOND);
  for (const m of (await agenda()).filter((x) => x.status === 'confirmed')) {
    const held = rng() < 0.85;
    const followUp = held && rng() < 0.5 ? 'apply' : 'none';
    await client.call(partyOf(m, rng() < 0.5 ? 'enterprise' : 'institution'), 'POST', `/v1/forums/${forumId}/meetings/${m.meetingId}/outcome`, { held, followUp });
  }
  for (;;) {
    const read = await client.call<ForumView>(ops, 'GET', `/v1/forums/${forumId}`);
    summary.status = read.body.status;
    if (summary.status === 'held' || Date.now() > deadline || signal?.aborted) break;
    await sleep(2 * SECOND);
  }
  const meetings = await agenda();
  summary.meetings = meetings.filter((m) => m.status !== 'declined').length;
  for (const m of meetings) summary.byStatus[m.status] = (summary.byStatus[m.status] ?? 0) + 1;
  summary.replacements = meetings.filter((m) => m.replaces !== null).length;
  summary.followUpApply = meetings.filter((m) => m.outcome?.followUp === 'apply').length;
  log(`forum demo: ${forumId} ${summary.status}; meetings ${JSON.stringify(summary.byStatus)}, ${summary.replacements} replacement(s), ${summary.followUpApply} follow-up application(s)`);
  return summary;
}
