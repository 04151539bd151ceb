import {
  acceptOffer,
  candidate,
  candidates,
  dealIdOf,
  dealsProposed,
  decide,
  issueTermSheet,
  startProposed,
  submitDocuments,
  termSheet,
  withdraw,
  type Application,
  type Harness,
} from './support';

// Whole runs of the application workflow, each to its end, whose histories the replay test keeps
// (recordHistories.ts). They cover every kind of step: activities, updates, timers and the saga.

export interface Scenario {
  name: string;
  run(h: Harness): Promise<Application>;
}

export const scenarios: Scenario[] = [
  {
    name: 'one-deal-per-institution',
    async run(h) {
      // Recorded with the one-deal-per-institution patch: the forum meeting's bank goes first, bank A's
      // second product waits behind its first deal and is proposed when that deal is declined.
      const app = await h.start({
        candidates: [
          candidate(1, { institutionId: 'bank-a' }), candidate(2, { institutionId: 'bank-a' }),
          candidate(3, { institutionId: 'bank-b' }), candidate(4, { institutionId: 'bank-met' }),
        ],
        source: { forumId: 'forum-1', meetingId: 'meeting-1', institutionId: 'bank-met' },
      });
      await dealsProposed(app, 3);
      await decide(app, dealIdOf(app, 2), { action: 'decline', reason: 'Outside our risk appetite' });
      await dealsProposed(app, 4);
      await withdraw(app, 'Financed by a shareholder loan');
      return app;
    },
  },
  {
    name: 'happy-path',
    async run(h) {
      const app = await startProposed(h, 3, { candidates: candidates(5) });
      const d1 = dealIdOf(app, 1);
      await decide(app, d1, { action: 'express_interest' });
      await decide(app, d1, { action: 'request_documents', documents: ['financial_statements'] });
      await submitDocuments(app, d1);
      await decide(app, d1, { action: 'issue_term_sheet', termSheet: await termSheet(h.env) });
      await acceptOffer(app, d1);
      await decide(app, d1, { action: 'confirm_close' });
      return app;
    },
  },
  {
    name: 'decline-backfill-no-match',
    async run(h) {
      // p-2 is full: the deals go to p-1, p-3 and p-4, and p-5 backfills the first decline.
      const app = await startProposed(h, 3, { candidates: candidates(5), capacity: { 'p-2': 0 } });
      await decide(app, dealIdOf(app, 1), { action: 'decline', reason: 'Outside our risk appetite' });
      await dealsProposed(app, 4);
      await decide(app, dealIdOf(app, 2), { action: 'decline', reason: 'Sector exposure limit' });
      await decide(app, dealIdOf(app, 3), { action: 'express_interest' });
      await decide(app, dealIdOf(app, 3), { action: 'decline', reason: 'Margins too thin' });
      await decide(app, dealIdOf(app, 4), { action: 'decline', reason: 'No capacity this quarter' });
      return app;
    },
  },
  {
    name: 'withdrawn-with-offers-ready',
    async run(h) {
      const app = await startProposed(h, 3, { candidates: candidates(3) });
      const d1 = dealIdOf(app, 1);
      await issueTermSheet(h.env, app, d1);
      await withdraw(app, 'Financed elsewhere');
      return app;
    },
  },
  {
    name: 'response-sla-expiry-backfill',
    async run(h) {
      const app = await startProposed(h, 3, { candidates: candidates(4) });
      await h.env.sleep('73 hours');
      await dealsProposed(app, 4);
      await h.env.sleep('73 hours');
      return app;
    },
  },
  {
    name: 'dd-pause-then-offer-window-expiry',
    async run(h) {
      const app = await startProposed(h, 2, { candidates: candidates(2), settings: { topK: 2 } });
      const [d1, d2] = [dealIdOf(app, 1), dealIdOf(app, 2)];
      await decide(app, d1, { action: 'express_interest' });
      await decide(app, d2, { action: 'express_interest' });
      await decide(app, d2, { action: 'request_documents', documents: ['tax_records'] });
      await h.env.sleep('3 days');
      await submitDocuments(app, d2);
      await decide(app, d1, { action: 'issue_term_sheet', termSheet: await termSheet(h.env) });
      await h.env.sleep('15 days');
      return app;
    },
  },
];
