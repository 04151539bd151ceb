import { beijingDateOf } from '../../schemas/beijingDate';
import type { EnterpriseRegistrationInput, ForumInput, ForumTheme, Instrument, InstitutionRegistrationInput } from '../../schemas';
import type { Principal } from '../../schemas/http';
import type { ApiClient } from '../demo/http';
import { pairScores } from '../../domain/forums/pairScores';
import { mulberry32, type SeedData } from './generate';

// The summit's six thematic forums (产融对接会) over the seeded catalogue: each with registrations
// from the seeded enterprises whose industry fits the theme and from institutions whose products
// serve them. Forums are workflows, so they are created through the HTTP API of a running
// dealflow (`npm run seed:forums`), as ops and the parties would.

export interface PlannedForum {
  forumId: string;
  forum: ForumInput;
  enterprises: ({ uscc: string } & EnterpriseRegistrationInput)[];
  institutions: ({ institutionId: string } & InstitutionRegistrationInput)[];
}

interface ThemeSeed {
  theme: ForumTheme;
  title: string;
  venue: string;
  /** GB/T 4754 prefixes of the enterprises invited. */
  industries: readonly string[];
}

const THEMES: readonly ThemeSeed[] = [
  { theme: 'industrial_services', title: '长三角产业服务对接会', venue: '上海国际会议中心 A 厅', industries: ['M', 'I65'] },
  { theme: 'industrial_finance', title: '长三角产业金融对接会', venue: '上海国际会议中心 B 厅', industries: ['C34', 'C36', 'C38'] },
  { theme: 'new_industries', title: '新兴产业投融资对接会', venue: '苏州国际博览中心', industries: ['C39', 'C2761', 'C3841'] },
  { theme: 'industrial_ecology', title: '产业生态链金融对接会', venue: '杭州国际博览中心', industries: ['C26', 'C3831', 'C3670'] },
  { theme: 'industrial_intelligence', title: '产业智能与数字化对接会', venue: '合肥滨湖国际会展中心', industries: ['C3491', 'C4011', 'I'] },
  { theme: 'general', title: '长三角综合产融对接会', venue: '上海国际会议中心 C 厅', industries: [''] },
];

const DAY_MS = 86_400_000;
const ENTERPRISES_PER_FORUM = 24;
const INSTITUTIONS_PER_FORUM = 8;

/** Six forums a few weeks out, registration open until a week before each. Deterministic for `now` and the data. */
export function planForums(data: SeedData, now: number, seed = 20250630): PlannedForum[] {
  const rng = mulberry32(seed);
  const pickSome = <T>(items: readonly T[], n: number): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(rng() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, n);
  };
  const debtors = new Set(data.dishonestDebtors.map((d) => d.uscc));
  // 09:00 Beijing (01:00 UTC) on a day three weeks out, then one forum a week.
  const firstDay = Math.floor((now + 21 * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS / 24;
  return THEMES.map((theme, i) => {
    const startsAt = firstDay + i * 7 * DAY_MS;
    const forumId = `yrd-summit-${theme.theme.replace(/_/g, '-')}`;
    const fits = data.enterprises.filter((e) => !debtors.has(e.uscc) && theme.industries.some((prefix) => e.industry.startsWith(prefix)));
    const candidates = fits.map((e) => {
      const instruments: Instrument[] = e.industry.startsWith('C') ? ['credit_loan', 'working_capital_loan'] : ['equity', 'credit_loan'];
      const amountCny = Math.max(1_000_000, Math.round((e.revenueCny * (0.05 + rng() * 0.15)) / 100_000) * 100_000);
      return { uscc: e.uscc, instruments, amountCny, profile: e };
    });
    // Invite who the matching rules pair: the institutions with the most pairs, the enterprises with at least one.
    const pairs = pairScores(
      candidates.map((c) => ({ enterpriseUscc: c.uscc, instruments: c.instruments, amountCny: c.amountCny, profile: c.profile, verifiedQualifications: [] })),
      data.institutions.map((inst) => ({
        institutionId: inst.institutionId,
        products: data.products.filter((p) => p.institutionId === inst.institutionId && p.active).map((product) => ({ product, openDeals: 0, institutionRegions: inst.regions })),
      })),
      beijingDateOf(new Date()),
    );
    const pairsOf = new Map<string, Set<string>>();
    for (const p of pairs) pairsOf.set(p.institutionId, (pairsOf.get(p.institutionId) ?? new Set()).add(p.enterpriseUscc));
    const invited = [...pairsOf.entries()]
      .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
      .slice(0, INSTITUTIONS_PER_FORUM);
    const reachable = new Set(invited.flatMap(([, usccs]) => [...usccs]));
    const enterprises = pickSome(candidates.filter((c) => reachable.has(c.uscc)), ENTERPRISES_PER_FORUM)
      .map(({ uscc, instruments, amountCny }) => ({ uscc, instruments, amountCny }));
    const institutions = invited.map(([institutionId]) => ({
      institutionId,
      productIds: data.products.filter((p) => p.institutionId === institutionId && p.active).map((p) => p.productId),
      meetingsCapacity: 4 + Math.floor(rng() * 6),
    }));
    return {
      forumId,
      forum: {
        title: theme.title,
        theme: theme.theme,
        venue: theme.venue,
        registrationClosesAt: new Date(startsAt - 7 * DAY_MS).toISOString(),
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 3 * 3_600_000).toISOString(),
        slotMinutes: 20,
        tables: 6,
      },
      enterprises,
      institutions,
    };
  });
}

export interface ForumSeedResult {
  forums: number;
  registrations: number;
  /** Forums not created: a 409 (seeded before with other dates), or a forum that already has registrations. */
  refused: { path: string; status: number }[];
}

/** Creates the planned forums and their registrations through the API; a forum seeded before answers 200 or 409 and is left as it is. */
export async function seedForums(api: ApiClient, plan: readonly PlannedForum[]): Promise<ForumSeedResult> {
  const ops: Principal = { sub: 'ops-seed', role: 'ops' };
  const result: ForumSeedResult = { forums: 0, registrations: 0, refused: [] };
  for (const { forumId, forum, enterprises, institutions } of plan) {
    const path = `/v1/forums/${forumId}`;
    const created = await api.call<{ createdAt?: string; registrations?: unknown[] }>(ops, 'PUT', path, forum);
    // A forum seeded before answers 200 as well: its registrations are left as they are.
    if (created.status !== 200 || (created.body.registrations?.length ?? 0) > 0) {
      result.refused.push({ path, status: created.status });
      continue;
    }
    result.forums += 1;
    const registrations = [
      ...enterprises.map(({ uscc, ...body }) => [{ sub: `seed@${uscc}`, role: 'enterprise', org: uscc } as Principal, body] as const),
      ...institutions.map(({ institutionId, ...body }) => [{ sub: `seed@${institutionId}`, role: 'institution', org: institutionId } as Principal, body] as const),
    ];
    await Promise.all(registrations.map(async ([principal, body]) => {
      const answer = await api.call(principal, 'POST', `${path}/registrations`, body);
      if (answer.status === 200 || answer.status === 202) result.registrations += 1;
      else result.refused.push({ path: `${path}/registrations (${'org' in principal ? principal.org : ''})`, status: answer.status });
    }));
  }
  return result;
}
