// The API as the pages use it: bearer tokens per role (kept in localStorage), JSON calls whose
// failures become readable messages, and the SSE stream read with fetch() so the token travels
// in the Authorization header, never in a URL.

const TOKEN_KEY = (role) => `dealflow.token.${role}`;

/** The claims of a JWT, unverified (the API verifies); null when it is not a JWT. */
export function claimsOf(token) {
  try {
    const payload = token.split('.')[1];
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

export function tokenFor(role) {
  return localStorage.getItem(TOKEN_KEY(role));
}

/** Stores a token under the role its claims name; answers that role. */
export function saveToken(token) {
  const claims = claimsOf(token.trim());
  if (!claims || !['enterprise', 'institution', 'ops'].includes(claims.role)) {
    throw new Error('That is not a dealflow token: expected a JWT whose role is enterprise, institution or ops.');
  }
  localStorage.setItem(TOKEN_KEY(claims.role), token.trim());
  return claims.role;
}

export function forgetToken(role) {
  localStorage.removeItem(TOKEN_KEY(role));
}

/** A failed call, with a message a person can act on. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    super(describe(status, body, fallback));
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

function describe(status, body, fallback) {
  const message = body && typeof body.message === 'string' ? body.message : '';
  if (status === 400 && body && Array.isArray(body.issues)) {
    const issues = body.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    return `Please check the form — ${issues.join('; ')}`;
  }
  switch (status) {
    case 401: return `Not signed in: ${message || 'missing or expired token'}. Pick a principal or paste a token.`;
    case 403: return `Not allowed for this role: ${message}`;
    case 404: return `Not found: ${message || 'it does not exist or belongs to another party'}`;
    case 409: return `Not possible now (409 conflict): ${message}`;
    case 429: return `Too many requests: ${message}`;
    case 503: return `A service is unavailable: ${message || 'retry shortly'}`;
    case 0: return `The API did not answer: ${fallback}`;
    default: return `The API answered ${status}${message ? `: ${message}` : body && body.error ? ` (${body.error})` : ''}`;
  }
}

// Read-your-writes whichever API replica answers: the last command's X-Dealflow-Seq goes back as
// X-Dealflow-Min-Seq on the reads that follow, for longer than a replica's cached view may be
// stale (10 s). Other applications' reads then come from the store too for that long: correct,
// only less cached.
const RECENT_COMMAND_MS = 15_000;
let lastCommand = null;

/** Calls the API as `role`; answers the parsed body (and the status), throws ApiError otherwise. */
export async function call(role, method, path, { body, headers = {} } = {}) {
  const token = tokenFor(role);
  const recent = method === 'GET' && lastCommand && Date.now() - lastCommand.at < RECENT_COMMAND_MS;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(recent ? { 'x-dealflow-min-seq': lastCommand.seq } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new ApiError(0, null, error.message);
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: 'not_json', message: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, parsed, response.statusText);
  const seq = response.headers.get('x-dealflow-seq');
  if (seq) lastCommand = { seq, at: Date.now() };
  return { status: response.status, body: parsed };
}

/**
 * Uploads a file as the request body (POST /v1/applications/:id/files) with XMLHttpRequest, whose
 * upload events fetch() does not have: `onProgress(sentBytes, totalBytes)` as it goes.
 */
export function uploadFile(role, path, file, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const token = tokenFor(role);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    xhr.addEventListener('load', () => {
      let parsed = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = { error: 'not_json', message: xhr.responseText.slice(0, 200) };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed);
      else reject(new ApiError(xhr.status, parsed, xhr.statusText));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, null, 'the upload was interrupted')));
    xhr.send(file);
  });
}

/** Downloads a file the API serves (with the bearer token) and hands it to the browser as a download. */
export async function downloadFile(role, path, name) {
  const token = tokenFor(role);
  let response;
  try {
    response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    throw new ApiError(0, null, error.message);
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null), response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `GET /dev/tokens`, or null where the API does not offer it (production). */
export async function devTokens() {
  const response = await fetch('/dev/tokens').catch(() => null);
  if (!response || !response.ok) return null;
  return response.json();
}

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot send headers). Reconnects with
 * Last-Event-ID after the server's `retry`, until `signal` aborts or the API refuses the token.
 * `on.event(data, id)`, `on.reset(data)`, `on.state('connecting' | 'live' | 'retrying' | 'stopped', detail)`.
 */
export async function streamEvents(role, path, on, signal) {
  let lastEventId = null;
  let retryMs = 3000;
  while (!signal.aborted) {
    on.state('connecting');
    try {
      const token = tokenFor(role);
      const response = await fetch(path, {
        headers: {
          accept: 'text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal,
      });
      if (response.status === 401 || response.status === 403) {
        const body = await response.json().catch(() => null);
        on.state('stopped', new ApiError(response.status, body).message);
        return;
      }
      if (!response.ok || !response.body) throw new ApiError(response.status, await response.json().catch(() => null));
      on.state('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const frames = buffer.split(/\r?\n\r?\n/);
        buffer = frames.pop() ?? '';
        for (const frame of frames) {
          const message = parseFrame(frame);
          if (message.retry) retryMs = message.retry;
          if (message.id) lastEventId = message.id;
          if (message.data === null) continue;
          if (message.event === 'reset') on.reset(JSON.parse(message.data));
          else on.event(JSON.parse(message.data), message.id);
        }
      }
      on.state('retrying', 'the stream ended');
    } catch (error) {
      if (signal.aborted) return;
      on.state('retrying', error.message);
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

function parseFrame(frame) {
  const message = { id: null, event: 'message', data: null, retry: null };
  const data = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'id') message.id = value;
    else if (field === 'event') message.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) message.retry = Number(value);
  }
  if (data.length > 0) message.data = data.join('\n');
  return message;
}
