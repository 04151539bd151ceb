/**
 * A value read at most once per `ttlMs`, shared by concurrent callers: when it is stale, the
 * first caller starts one read and the others wait for that same read.
 */
export function cachedFor<T>(ttlMs: number, read: () => Promise<T>) {
  let value: { at: number; data: T } | null = null;
  let pending: Promise<T> | null = null;
  return {
    async get(now = Date.now()): Promise<T> {
      if (value !== null && now - value.at <= ttlMs) return value.data;
      pending ??= read()
        .then((data) => {
          value = { at: now, data };
          return data;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    },
    invalidate(): void {
      value = null;
    },
  };
}
