import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Uscc, type EnterpriseProfile, type Institution } from '../../../schemas';
import { DevTokens, type DevPrincipal, type Principal } from '../../../schemas/http';
import { signToken } from '../auth';
import type { RouteContext } from '../context';

// `GET /dev/tokens`: tokens for the web pages' principal picker on a developer's machine. app.ts
// registers it only with NODE_ENV=development or test and HOST on loopback; anyone who can reach it can act as anyone.

/** How many enterprises and institutions the picker offers, besides the seed's demo pair. */
export const DEV_PRINCIPALS_PER_ROLE = 4;
export const DEV_TOKEN_TTL_SECONDS = 3_600;

type Doc = Record<string, unknown>;

/** What `npm run seed` stores in `demo_principals` (tools/seed/seed.ts). */
interface StoredDemoPrincipals {
  enterprise?: { uscc?: string };
  institution?: { institutionId?: string };
  ops?: { sub?: string };
}

export const devRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps }) => {
  const { models, config } = deps;

  /** The first documents by `_id` that `usable` accepts, with the demo one first when it is in the database. */
  async function firstOf(model: typeof models.enterprises, demoId: string | undefined, usable: (id: unknown) => boolean = () => true): Promise<{ doc: Doc; demo: boolean }[]> {
    const [docs, demoDoc] = await Promise.all([
      model.find({}).sort({ _id: 1 }).limit(DEV_PRINCIPALS_PER_ROLE * 10).lean() as Promise<Doc[]>,
      demoId === undefined ? null : (model.findById(demoId).lean() as Promise<Doc | null>),
    ]);
    const rest = docs.filter((doc) => doc._id !== demoId && usable(doc._id)).slice(0, DEV_PRINCIPALS_PER_ROLE).map((doc) => ({ doc, demo: false }));
    return demoDoc ? [{ doc: demoDoc, demo: true }, ...rest.slice(0, DEV_PRINCIPALS_PER_ROLE - 1)] : rest;
  }

  app.get('/dev/tokens', {
    schema: {
      tags: ['development'],
      summary: 'Development only: short-lived tokens for an ops user and the first seeded enterprises and institutions',
      description: 'Registered only with NODE_ENV=development or test and the API listening on loopback. Serves the web pages\' principal picker: each token is '
        + `signed with DEALFLOW_JWT_SECRET and lapses after ${DEV_TOKEN_TTL_SECONDS / 60} minutes. The seed's demo `
        + 'enterprise and institution (`npm run seed`) come first when they are in the database.',
      security: [],
      response: { 200: DevTokens },
    },
  }, async () => {
    const demo = ((await models.demoPrincipals.findById('seed').lean()) ?? {}) as StoredDemoPrincipals;
    const [enterprises, institutions] = await Promise.all([
      // A profile stored before the whole USCC was checked may hold a code no token can carry.
      firstOf(models.enterprises, demo.enterprise?.uscc, (id) => Uscc.safeParse(id).success),
      firstOf(models.institutions, demo.institution?.institutionId),
    ]);
    const now = Date.now();
    const sign = (claims: Principal): string => signToken(claims, config.jwt, DEV_TOKEN_TTL_SECONDS, now);
    const principals: DevPrincipal[] = [
      { role: 'ops', org: null, name: 'Ops desk 运营', note: 'sees every application, deal and the live feed', demo: true, token: sign({ sub: demo.ops?.sub ?? 'ops-dev', role: 'ops' }) },
      ...enterprises.map(({ doc, demo: isDemo }) => {
        const e = doc as unknown as EnterpriseProfile;
        const qualifications = (e.qualifications ?? []).map((q) => q.type).join(', ') || 'no qualifications';
        return {
          role: 'enterprise' as const, org: String(doc._id), name: e.name, note: `${e.region} · ${e.industry} · ${qualifications}`, demo: isDemo,
          token: sign({ sub: `dev:${String(doc._id)}`, role: 'enterprise', org: String(doc._id) }),
        };
      }),
      ...institutions.map(({ doc, demo: isDemo }) => {
        const i = doc as unknown as Institution;
        return {
          role: 'institution' as const, org: String(doc._id), name: i.name, note: `${i.kind} · ${(i.regions ?? []).join(', ')}`, demo: isDemo,
          token: sign({ sub: `dev:${String(doc._id)}`, role: 'institution', org: String(doc._id) }),
        };
      }),
    ];
    return { expiresAt: new Date(now + DEV_TOKEN_TTL_SECONDS * 1000).toISOString(), principals };
  });
};
