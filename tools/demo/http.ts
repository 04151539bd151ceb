import type { JwtSettings } from '../../adapters/config';
import type { Principal } from '../../schemas/http';
import { signToken } from '../../services/api/auth';

// The demo's HTTP client: global fetch, a token per principal signed locally, at most
// `concurrency` requests in flight, and retries where the API asks for them (429, 503) or the
// connection failed. Statuses are returned, never thrown: 409 and 202 are ordinary answers here.

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface ApiClient {
  call<T = unknown>(principal: Principal, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, options?: CallOptions): Promise<ApiAnswer<T>>;
  /** Requests sent, answers by status, and failures after the last retry. */
  stats: { requests: number; byStatus: Record<string, number>; failures: number };
}

export interface CallOptions {
  headers?: Record<string, string>;
  /**
   * Commands go before the periodic reads: SLAs are ticking on them. Only for one-off requests:
   * urgent polling would starve the normal queue when the API is slow.
   */
  urgent?: boolean;
}

export interface ApiClientOptions {
  baseUrl: string;
  jwt: JwtSettings;
  concurrency: number;
  /** Per request, ms. */
  timeoutMs?: number;
  retries?: number;
}

const TOKEN_TTL_SECONDS = 4 * 3_600;

export function createApiClient({ baseUrl, jwt, concurrency, timeoutMs = 30_000, retries = 5 }: ApiClientOptions): ApiClient {
  const tokens = new Map<string, string>();
  const tokenFor = (principal: Principal): string => {
    const key = `${principal.role}:${principal.sub}`;
    let token = tokens.get(key);
    if (!token) {
      token = signToken(principal, jwt, Math.min(TOKEN_TTL_SECONDS, jwt.maxLifetimeSeconds));
      tokens.set(key, token);
    }
    return token;
  };
  const limit = semaphore(Math.max(1, concurrency));
  const stats: ApiClient['stats'] = { requests: 0, byStatus: {}, failures: 0 };
  const root = baseUrl.replace(/\/+$/, '');

  async function once(principal: Principal, method: string, path: string, body: unknown, headers: Record<string, string>, urgent: boolean): Promise<Response> {
    return limit(urgent, () => fetch(`${root}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokenFor(principal)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    }));
  }

  async function call<T>(principal: Principal, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, { headers = {}, urgent = false }: CallOptions = {}): Promise<ApiAnswer<T>> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      stats.requests += 1;
      let response: Response;
      try {
        response = await once(principal, method, path, body, headers, urgent);
      } catch (error) {
        lastError = error;
        await sleep(backoffMs(attempt));
        continue;
      }
      stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
      const text = await response.text();
      if ((response.status === 429 || response.status === 503) && attempt < retries) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1_000 : backoffMs(attempt));
        continue;
      }
      return { status: response.status, body: (text ? safeJson(text) : null) as T };
    }
    stats.failures += 1;
    throw new Error(`${method} ${path}: no answer after ${retries + 1} attempts: ${(lastError as Error | undefined)?.message ?? 'retries exhausted'}`);
  }

  return { call, stats };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const backoffMs = (attempt: number): number => Math.min(8_000, 250 * 2 ** attempt);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs at most `max` of the given tasks at once; urgent ones jump the queue, otherwise first come first served. */
export function semaphore(max: number): <T>(urgent: boolean, task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const urgentQueue: (() => void)[] = [];
  const normalQueue: (() => void)[] = [];
  return async <T>(urgent: boolean, task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds max.
    if (active >= max) await new Promise<void>((resolve) => (urgent ? urgentQueue : normalQueue).push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      const next = urgentQueue.shift() ?? normalQueue.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
