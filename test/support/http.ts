// One JSON call to an API under test, as a client would make it: a bearer token, a JSON body.

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Give up after this long (the answer is then a thrown AbortError). */
  timeoutMs?: number;
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON, the text when it is not JSON, or null when empty. */
  body: unknown;
}

export async function callJson(baseUrl: string, method: string, path: string, { token, body, headers = {}, timeoutMs }: CallOptions = {}): Promise<JsonAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
