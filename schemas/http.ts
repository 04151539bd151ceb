import { z } from 'zod';
import { ApplicationId, DealId, InstitutionId, IsoDateTime, ListQuery, ProductId, Uscc } from './common';
import { ApplicationStatus } from './application';
import { ApplicationView } from './applicationView';
import { Recognition } from './registry';

// Shapes only the HTTP API uses: token claims, path parameters, headers, error bodies and a few
// answers. Everything else the API reads or writes comes from the other schema files.

// ---------- authentication ----------

export const ROLES = ['enterprise', 'institution', 'ops'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

const sub = z.string().min(1).max(200);

/** JWT claims; `org` is the party the caller acts for, and ops acts for no party. */
export const Principal = z.discriminatedUnion('role', [
  z.object({ sub, role: z.literal('enterprise'), org: Uscc }),
  z.object({ sub, role: z.literal('institution'), org: InstitutionId }),
  z.object({ sub, role: z.literal('ops') }),
], { error: 'role must be one of enterprise, institution, ops' });
export type Principal = z.infer<typeof Principal>;

// ---------- path parameters, query strings, headers ----------

export const UsccParams = z.strictObject({ uscc: Uscc });
export const ApplicationParams = z.strictObject({ id: ApplicationId });
export const OfferParams = z.strictObject({ id: ApplicationId, dealId: DealId });
export const DealParams = z.strictObject({ dealId: DealId });
export const InstitutionParams = z.strictObject({ id: InstitutionId });
export const ProductParams = z.strictObject({ id: InstitutionId, productId: ProductId });

/** Query of `GET /v1/applications`. */
export const ApplicationListQuery = ListQuery.extend({ status: ApplicationStatus.optional() });
export type ApplicationListQuery = z.infer<typeof ApplicationListQuery>;

/**
 * Read-your-writes across API replicas: a command answers the application's seq in `X-Dealflow-Seq`;
 * a read that sends it back in `X-Dealflow-Min-Seq` is answered from the store unless the replica's
 * cached view is at least that new. Other headers pass through.
 */
export const ConsistencyHeaders = z.object({
  'x-dealflow-min-seq': z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()
    .describe('The X-Dealflow-Seq a command answered: the read shows that command\'s result, whichever API replica answers'),
});

/** Headers of `POST /v1/applications`; other headers pass through. */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1, 'Idempotency-Key must not be empty')
    .max(200, 'Idempotency-Key must be at most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'Idempotency-Key must be printable ASCII without spaces')
    .optional(),
});

// ---------- answers ----------

/** Any error but a validation failure; `error` is a stable snake_case code. */
export const ErrorBody = z.object({
  error: z.string(),
  /** Why a command was refused, where the contract names it (e.g. `enterprise_not_eligible`). */
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A command the workflow took but has not finished applying (e.g. its events wait for Kafka). */
export const CommandPending = z.object({
  status: z.literal('accepted'),
  applied: z.literal(false),
  message: z.string(),
});
export type CommandPending = z.infer<typeof CommandPending>;

/** An application without its timeline and deals: the answer to a withdrawal. */
export const ApplicationSummary = ApplicationView.omit({ timeline: true, deals: true });
export type ApplicationSummary = z.infer<typeof ApplicationSummary>;

export const RecognitionsOnRecord = z.object({ uscc: Uscc, recognitions: z.array(Recognition) });
export type RecognitionsOnRecord = z.infer<typeof RecognitionsOnRecord>;

export const DEPENDENCIES = ['temporal', 'kafka', 'mongo'] as const;
export const Liveness = z.object({ status: z.literal('live') });
export const Readiness = z.object({
  status: z.enum(['ready', 'degraded', 'unavailable']),
  checks: z.record(z.enum(DEPENDENCIES), z.object({ ok: z.boolean(), error: z.string().optional() })),
  checkedAt: IsoDateTime,
});
export type Readiness = z.infer<typeof Readiness>;

// ---------- development ----------

/** One principal `GET /dev/tokens` signs a token for: an ops user, a seeded enterprise or institution. */
export const DevPrincipal = z.object({
  role: Role,
  /** The enterprise's uscc or the institution's id; null for ops. */
  org: z.string().nullable(),
  name: z.string(),
  /** e.g. the region and qualifications, or the institution's kind: enough to tell them apart in a picker. */
  note: z.string(),
  /** The seed's demo principal (`demoPrincipals()`): a full demo run works with it. */
  demo: z.boolean(),
  token: z.string(),
});
export type DevPrincipal = z.infer<typeof DevPrincipal>;

export const DevTokens = z.object({ expiresAt: IsoDateTime, principals: z.array(DevPrincipal) });
export type DevTokens = z.infer<typeof DevTokens>;
