import { beijingDateOf } from '../../schemas/beijingDate';
import { EnterpriseRegistrationInput, ForumInput, FORUM_THEMES, InstitutionRegistrationInput } from '../../schemas';
import { pairScores } from '../../domain/forums/pairScores';
import { generateSeed } from '../../tools/seed/generate';
import { planForums } from '../../tools/seed/forums';

const data = generateSeed();
const NOW = Date.parse('2026-11-30T00:00:00Z');
const plan = planForums(data, NOW);

test('six forums, one per summit theme, deterministic for the same moment and data', () => {
  expect(plan.map((f) => f.forum.theme).sort()).toEqual([...FORUM_THEMES].sort());
  expect(planForums(data, NOW)).toEqual(plan);
  expect(new Set(plan.map((f) => f.forumId)).size).toBe(6);
});

test('every forum and registration passes its contract schema, registration closing in the future', () => {
  for (const { forum, enterprises, institutions } of plan) {
    expect(ForumInput.safeParse(forum).success).toBe(true);
    expect(Date.parse(forum.registrationClosesAt)).toBeGreaterThan(NOW);
    expect(enterprises.length).toBeGreaterThanOrEqual(10);
    expect(institutions.length).toBeGreaterThanOrEqual(4);
    for (const { uscc: _uscc, ...body } of enterprises) expect(EnterpriseRegistrationInput.safeParse(body).success).toBe(true);
    for (const { institutionId: _id, ...body } of institutions) expect(InstitutionRegistrationInput.safeParse(body).success).toBe(true);
  }
});

test('registrations come from the seeded firms, each institution registering its own products, and pairs meet', () => {
  const usccs = new Set(data.enterprises.map((e) => e.uscc));
  const debtors = new Set(data.dishonestDebtors.map((d) => d.uscc));
  const productOwner = new Map(data.products.map((p) => [p.productId, p.institutionId]));
  for (const { enterprises, institutions } of plan) {
    for (const e of enterprises) {
      expect(usccs.has(e.uscc)).toBe(true);
      expect(debtors.has(e.uscc)).toBe(false);
    }
    for (const i of institutions) for (const productId of i.productIds) expect(productOwner.get(productId)).toBe(i.institutionId);
    // The matching rules find pairs for every forum, so each has an agenda to show.
    const pairs = pairScores(
      enterprises.map((e) => {
        const profile = data.enterprises.find((p) => p.uscc === e.uscc);
        if (!profile) throw new Error(`no seeded profile for ${e.uscc}`);
        return { enterpriseUscc: e.uscc, instruments: e.instruments, amountCny: e.amountCny, profile, verifiedQualifications: [] };
      }),
      institutions.map((i) => ({
        institutionId: i.institutionId,
        products: data.products.filter((p) => i.productIds.includes(p.productId)).map((product) => ({ product, openDeals: 0 })),
      })),
      beijingDateOf(new Date()),
    );
    expect(pairs.length).toBeGreaterThan(0);
  }
});
