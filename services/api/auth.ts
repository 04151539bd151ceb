import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
// The jwt decorator's types come with the plugin, which app.ts registers.
import type {} from '@fastify/jwt';
import type { JwtSettings } from '../../adapters/config';
import { Principal, type Role } from '../../schemas/http';
import { ApiError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, or null; `authProblem` says why there is none. */
    principal: Principal | null;
    authProblem: string | null;
  }
}

/**
 * Reads the bearer token on every request but rejects nothing: routes say who may call them
 * (`allow`), and the rate limiter keys on the caller when there is one.
 */
export function registerIdentify(app: FastifyInstance, jwt: JwtSettings): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('authProblem', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) {
      request.authProblem = 'missing bearer token';
      return;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      request.authProblem = 'Authorization must be "Bearer <token>"';
      return;
    }
    let claims: unknown;
    try {
      claims = app.jwt.verify(match[1]);
    } catch (error) {
      request.authProblem = `invalid token: ${(error as Error).message}`;
      return;
    }
    const lifetime = tokenLifetimeProblem(claims as { iat?: unknown; exp?: unknown }, jwt);
    if (lifetime) {
      request.authProblem = `invalid token: ${lifetime}`;
      return;
    }
    const parsed = Principal.safeParse(claims);
    if (!parsed.success) {
      request.authProblem = `invalid token claims: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'role'}: ${i.message}`).join('; ')}`;
      return;
    }
    request.principal = parsed.data;
  });
}

/**
 * @fastify/jwt's verifier options: HS256 only, the configured issuer and audience, and in
 * production `exp`, `iat`, `iss` and `aud` required (a token that never expires is refused).
 */
export function verifierOptions(jwt: JwtSettings) {
  return {
    algorithms: ['HS256' as const],
    allowedIss: jwt.issuer,
    allowedAud: jwt.audience,
    requiredClaims: jwt.requireStandardClaims ? ['exp', 'iat', 'iss', 'aud'] : [],
  };
}

/** Why a token's `iat`..`exp` span is refused: longer than the cap, or issued in the future. */
function tokenLifetimeProblem(claims: { iat?: unknown; exp?: unknown }, jwt: JwtSettings): string | null {
  const { iat, exp } = claims;
  if (!jwt.requireStandardClaims && iat === undefined && exp === undefined) return null;
  if (typeof iat !== 'number' || typeof exp !== 'number') return 'iat and exp must be numbers';
  const maxLifetimeSeconds = jwt.maxLifetimeSeconds;
  if (exp - iat > maxLifetimeSeconds) return `lifetime ${exp - iat} s exceeds the ${maxLifetimeSeconds} s allowed`;
  // A minute of clock skew between the signer and us.
  if (iat > Date.now() / 1000 + 60) return 'issued in the future';
  return null;
}

/** Route hook: 401 without a valid token, 403 for a role the route is not for. */
export function allow(...roles: Role[]): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    if (!request.principal) throw new ApiError(401, 'unauthorized', request.authProblem ?? 'missing bearer token');
    if (!roles.includes(request.principal.role)) {
      throw new ApiError(403, 'forbidden', `this route is for ${roles.join(' or ')}, not ${request.principal.role}`);
    }
  };
}

/** The verified caller in a handler behind `allow`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError(401, 'unauthorized', 'missing bearer token');
  return request.principal;
}

/** The caller's organisation when it has the given role, else null (ops acts for no party). */
export function orgAs(principal: Principal, role: 'enterprise' | 'institution'): string | null {
  return principal.role === role ? principal.org : null;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * Signs an HS256 JWT with `iss`, `aud`, `iat` and `exp`. For the token script, the tools and the
 * tests; the API verifies tokens with @fastify/jwt, so this signer and that verifier check each
 * other in the tests. A lifetime over the configured cap is refused here as the API would.
 */
export function signToken(claims: Principal, jwt: JwtSettings, ttlSeconds: number, now = Date.now()): string {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > jwt.maxLifetimeSeconds) {
    throw new RangeError(`a token lives 1 to ${jwt.maxLifetimeSeconds} seconds (DEALFLOW_JWT_MAX_LIFETIME_SECONDS), not ${ttlSeconds}`);
  }
  const iat = Math.floor(now / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ ...Principal.parse(claims), iss: jwt.issuer, aud: jwt.audience, iat, exp: iat + ttlSeconds }));
  const signature = createHmac('sha256', jwt.secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
