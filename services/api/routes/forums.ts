import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  Agenda, EnterpriseRegistrationInput, ForumInput, ForumParams, ForumRegistration, ForumView, InstitutionRegistrationInput, Meeting,
  MeetingOutcomeInput, MeetingParams, Product, type ForumRecord,
} from '../../../schemas';
import { CommandPending, type Principal } from '../../../schemas/http';
import type { forumWorkflow } from '../../../workflows/forum';
import {
  cancelForumUpdate, confirmMeetingUpdate, declineMeetingUpdate, FORUM_DEFAULTS, forumWorkflowId, forumWorkflowType, meetingOutcomeUpdate,
  registerUpdate, scheduleNowUpdate, withdrawRegistrationUpdate, type ForumParty, type ForumWorkflowInput,
} from '../../../workflows/forumMessages';
import { collectionOf } from '../../../store/collection';
import { listForums, loadAgenda, loadForum, storeCreatedForum, type StoredForum } from '../../../store/forums';
import { loadProfile } from '../../../store/catalogue';
import { allow, principalOf } from '../auth';
import { runWorkflowCommand, type CommandOutcome } from '../commands';
import type { RouteContext } from '../context';
import { conflict, errorResponses, invalid, notFound, type ApiError } from '../errors';

// The forums (the contract's "Forums"): ops creates and schedules them; enterprises and
// institutions register, read their agenda and answer for their meetings. Every command goes to
// the forum's workflow, which decides (409 for a status that does not allow it); the API checks
// who may ask and answers from the read models, each read one `_id` lookup (the list aside).

const STILL_APPLYING = 'The command was taken and is still being applied; read the forum again shortly.';
const CancelRequest = z.strictObject({ reason: z.string().trim().min(1).max(500) });
const activeMeetings = (stored: { meetings: readonly Meeting[] }): number => stored.meetings.filter((m) => m.status !== 'declined').length;
const partyOf = (principal: Principal): ForumParty | null =>
  principal.role === 'enterprise' || principal.role === 'institution' ? { role: principal.role, org: principal.org } : null;

/** What a caller may see of a forum: the counts for all, the registrations for ops, a party's own for it. */
function viewFor(principal: Principal, forum: ForumRecord, meetingCount: number): ForumView {
  const { registrations, cut: _cut, meetingsPerEnterprise: _perEnterprise, ...rest } = forum;
  const party = partyOf(principal);
  return {
    ...rest,
    enterprisesRegistered: registrations.filter((r) => r.party === 'enterprise').length,
    institutionsRegistered: registrations.filter((r) => r.party === 'institution').length,
    meetings: meetingCount,
    registrations: party === null ? registrations : registrations.filter((r) => (r.party === 'enterprise' ? r.enterpriseUscc : r.institutionId) === party.org),
  };
}

export const forumRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const { models, temporal, config } = deps;

  async function forumOr404(forumId: string): Promise<StoredForum> {
    const stored = await loadForum(models, forumId);
    if (!stored) throw notFound(`forum ${forumId} not found`);
    return stored;
  }

  const ended = (forumId: string) => (): ApiError => conflict(`forum ${forumId} has ended and takes no more commands`);
  function command<Ret, Args extends [unknown, ...unknown[]]>(forumId: string, update: Parameters<typeof runWorkflowCommand<Ret, Args>>[2], args: Args): Promise<CommandOutcome<Ret>> {
    return runWorkflowCommand(temporal, forumWorkflowId(forumId), update, args, limits.commandTimeoutMs, ended(forumId));
  }

  /** The meeting if the caller is one of its two parties; anyone else is told it does not exist. */
  async function ownMeeting(principal: Principal, forumId: string, meetingId: string): Promise<{ party: ForumParty; meeting: Meeting }> {
    const party = partyOf(principal);
    await forumOr404(forumId);
    const meeting = party && (await loadAgenda(models, forumId, party.org)).find((m) => m.meetingId === meetingId);
    if (!party || !meeting) throw notFound(`meeting ${meetingId} not found`);
    return { party, meeting };
  }

  app.put('/forums/:forumId', {
    onRequest: allow('ops'),
    schema: {
      tags: ['forums'],
      summary: 'Create a forum: open for registrations until registrationClosesAt, then scheduled',
      description: 'Answers 200 with the forum, open for registration; the same forum again answers 200 too, other details under the same id 409.',
      params: ForumParams,
      body: ForumInput,
      response: { 200: ForumView, ...errorResponses(409) },
    },
  }, async (request, reply) => {
    const { forumId } = request.params;
    const spec = request.body;
    const principal = principalOf(request);
    const existing = await loadForum(models, forumId);
    if (existing) {
      const same = (Object.keys(spec) as (keyof ForumInput)[]).every((key) => existing.forum[key] === spec[key]);
      if (!same) throw conflict(`forum ${forumId} exists with other details`);
      return reply.code(200).send(viewFor(principal, existing.forum, activeMeetings(existing)));
    }
    const now = new Date().toISOString();
    if (Date.parse(spec.registrationClosesAt) <= Date.now()) {
      throw invalid(new z.ZodError([{ code: 'custom', path: ['registrationClosesAt'], message: 'must be in the future', input: spec.registrationClosesAt }]));
    }
    const input: ForumWorkflowInput = {
      forum: { forumId, ...spec },
      createdAt: now,
      settings: { meetingsPerEnterprise: config.forums.meetingsPerEnterprise, outcomeWindowDays: FORUM_DEFAULTS.outcomeWindowDays },
    };
    try {
      await temporal.workflow.start<typeof forumWorkflow>(forumWorkflowType, {
        taskQueue: config.temporal.taskQueue,
        workflowId: forumWorkflowId(forumId),
        // A forum id names one forum for good, unless its workflow was terminated (by hand, or a test's cleanup).
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        args: [input],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`forum ${forumId} exists`);
      throw error;
    }
    const record: ForumRecord = {
      forumId, ...spec, status: 'open', registrations: [], meetingsPerEnterprise: input.settings.meetingsPerEnterprise, cut: [], scheduledAt: null, createdAt: now, updatedAt: now,
    };
    await storeCreatedForum(models, record);
    return reply.code(200).send(viewFor(principal, record, 0));
  });

  app.get('/forums', {
    onRequest: allow('enterprise', 'institution', 'ops'),
    schema: {
      tags: ['forums'],
      summary: 'Every forum, soonest first, with its status and registration counts',
      response: { 200: z.object({ items: z.array(ForumView), nextCursor: z.null() }), ...errorResponses() },
    },
  }, async (request) => {
    const principal = principalOf(request);
    const forums = await listForums(models);
    return { items: forums.map(({ forum, meetingCount }) => viewFor(principal, forum, meetingCount)), nextCursor: null };
  });

  app.get('/forums/:forumId', {
    onRequest: allow('enterprise', 'institution', 'ops'),
    schema: { tags: ['forums'], summary: 'One forum and its status', params: ForumParams, response: { 200: ForumView, ...errorResponses(404) } },
  }, async (request) => {
    const stored = await forumOr404(request.params.forumId);
    return viewFor(principalOf(request), stored.forum, activeMeetings(stored));
  });

  app.post('/forums/:forumId/registrations', {
    onRequest: allow('enterprise', 'institution'),
    schema: {
      tags: ['forums'],
      summary: 'Register for a forum until registrationClosesAt (a second registration replaces the first)',
      description: 'An enterprise sends `{ instruments, amountCny }`, an institution `{ productIds, meetingsCapacity }` (its own products). '
        + 'After the close answers 409.',
      params: ForumParams,
      body: z.record(z.string(), z.unknown()),
      response: { 200: ForumRegistration, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { forumId } = request.params;
    const args = await registrationOf(principal, request.body);
    await forumOr404(forumId);
    const outcome = await command(forumId, registerUpdate, [args]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return outcome.result;
  });

  async function registrationOf(principal: Principal, body: unknown) {
    if (principal.role === 'enterprise') {
      const parsed = EnterpriseRegistrationInput.safeParse(body);
      if (!parsed.success) throw invalid(parsed.error);
      if (!(await loadProfile(models, principal.org, deps.logger))) throw conflict('complete the enterprise profile (PUT /v1/enterprises/:uscc) before registering');
      return { party: 'enterprise' as const, enterpriseUscc: principal.org, ...parsed.data };
    }
    if (principal.role !== 'institution') throw notFound();
    const parsed = InstitutionRegistrationInput.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const products = await Promise.all(parsed.data.productIds.map((id) => collectionOf(models.products).findOne({ _id: id })));
    const issues = parsed.data.productIds.flatMap((id, i) => {
      const product = products[i] ? Product.safeParse(products[i]) : null;
      return product?.success && product.data.institutionId === principal.org ? [] : [{ code: 'custom' as const, path: ['productIds', i], message: `${id} is not one of your products`, input: id }];
    });
    if (issues.length > 0) throw invalid(new z.ZodError(issues));
    return { party: 'institution' as const, institutionId: principal.org, ...parsed.data };
  }

  app.delete('/forums/:forumId/registrations', {
    onRequest: allow('enterprise', 'institution'),
    schema: {
      tags: ['forums'],
      summary: 'Withdraw your registration until registrationClosesAt',
      params: ForumParams,
      response: { 200: z.object({ forumId: z.string(), withdrawn: z.literal(true) }), 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const party = partyOf(principalOf(request)) as ForumParty;
    const { forumId } = request.params;
    await forumOr404(forumId);
    const outcome = await command(forumId, withdrawRegistrationUpdate, [party]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return { forumId, withdrawn: true as const };
  });

  app.post('/forums/:forumId/schedule', {
    onRequest: allow('ops'),
    schema: {
      tags: ['forums'],
      summary: 'Close registration and schedule now instead of at registrationClosesAt',
      params: ForumParams,
      response: { 200: ForumView, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { forumId } = request.params;
    await forumOr404(forumId);
    const outcome = await command(forumId, scheduleNowUpdate, [{ requestedBy: principal.sub }]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return viewFor(principal, outcome.result.forum, outcome.result.activeMeetings);
  });

  app.post('/forums/:forumId/cancel', {
    onRequest: allow('ops'),
    schema: {
      tags: ['forums'],
      summary: 'Cancel a forum that is open or scheduled',
      params: ForumParams,
      body: CancelRequest,
      response: { 200: ForumView, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { forumId } = request.params;
    await forumOr404(forumId);
    const outcome = await command(forumId, cancelForumUpdate, [request.body]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return viewFor(principalOf(request), outcome.result.forum, outcome.result.activeMeetings);
  });

  app.get('/forums/:forumId/agenda', {
    onRequest: allow('enterprise', 'institution', 'ops'),
    schema: {
      tags: ['forums'],
      summary: 'The agenda: your own meetings (ops: all, with the pairs the room could not hold)',
      params: ForumParams,
      response: { 200: Agenda, ...errorResponses(404) },
    },
  }, async (request) => {
    const principal = principalOf(request);
    const { forumId } = request.params;
    const stored = await forumOr404(forumId);
    const party = partyOf(principal);
    if (party === null) return { forumId, items: stored.meetings, cut: stored.forum.cut };
    return { forumId, items: await loadAgenda(models, forumId, party.org) };
  });

  // Only the meeting's two parties: ops acts for no party (403), anyone else finds no meeting (404).
  const meetingRoute = { onRequest: allow('enterprise', 'institution'), tags: ['forums'] };

  app.post('/forums/:forumId/meetings/:meetingId/confirm', {
    onRequest: meetingRoute.onRequest,
    schema: { tags: meetingRoute.tags, summary: 'Confirm a scheduled meeting (its two parties only)', params: MeetingParams, response: { 200: Meeting, 202: CommandPending, ...errorResponses(404, 409) } },
  }, async (request, reply) => {
    const { forumId, meetingId } = request.params;
    const { party } = await ownMeeting(principalOf(request), forumId, meetingId);
    const outcome = await command(forumId, confirmMeetingUpdate, [{ meetingId, by: party }]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return outcome.result;
  });

  app.post('/forums/:forumId/meetings/:meetingId/decline', {
    onRequest: meetingRoute.onRequest,
    schema: {
      tags: meetingRoute.tags,
      summary: 'Decline a meeting (its two parties only); its slot goes to the next stable pair',
      params: MeetingParams,
      response: { 200: Meeting, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { forumId, meetingId } = request.params;
    const { party } = await ownMeeting(principalOf(request), forumId, meetingId);
    const outcome = await command(forumId, declineMeetingUpdate, [{ meetingId, by: party }]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return outcome.result.declined;
  });

  app.post('/forums/:forumId/meetings/:meetingId/outcome', {
    onRequest: meetingRoute.onRequest,
    schema: {
      tags: meetingRoute.tags,
      summary: 'Record whether a confirmed meeting was held, and the follow-up (its two parties only)',
      params: MeetingParams,
      body: MeetingOutcomeInput,
      response: { 200: Meeting, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { forumId, meetingId } = request.params;
    const { party } = await ownMeeting(principalOf(request), forumId, meetingId);
    const outcome = await command(forumId, meetingOutcomeUpdate, [{ meetingId, by: party, outcome: request.body }]);
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return outcome.result;
  });
};
