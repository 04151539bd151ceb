import { ServiceError, WorkflowNotFoundError, isGrpcServiceError } from '@temporalio/client';

// The one place that decides whether a failure means a dependency is down (Temporal, MongoDB,
// Kafka, the object store): the API answers those 503 with Retry-After, never 500.

export const RETRY_AFTER_SECONDS = 5;

/** A dependency (Temporal, MongoDB, Kafka) did not answer; always a 503 with Retry-After. */
export class DependencyUnavailable extends Error {
  override name = 'DependencyUnavailable';
  constructor(readonly dependency: 'temporal' | 'mongo' | 'kafka' | 'objectStore', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// gRPC status codes that mean "Temporal is not reachable or not answering", not "you asked wrong".
const GRPC_UNAVAILABLE = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */, 1 /* CANCELLED */]);

const MONGO_UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError',
  'MongoNotConnectedError', 'MongoTopologyClosedError', 'MongoPoolClearedError',
  // Every pooled connection stayed busy for waitQueueTimeoutMS (adapters/mongo.ts): the database is behind.
  'MongoWaitQueueTimeoutError',
]);

/** Which dependency an error says is down, or null when it is some other failure. */
export function unavailableDependency(error: unknown): DependencyUnavailable['dependency'] | null {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof DependencyUnavailable) return current.dependency;
    if (MONGO_UNAVAILABLE_NAMES.has(current.name)) return 'mongo';
    if (/buffering timed out|Client must be connected|connection .* closed|MongoDB connection is not open/i.test(current.message)) return 'mongo';
    if (isGrpcServiceError(current) && GRPC_UNAVAILABLE.has(current.code)) return 'temporal';
    // A workflow whose task keeps failing takes no update until a worker gets it through: the
    // command can be retried later, like any dependency that is not answering.
    if (isGrpcServiceError(current) && current.code === 9 /* FAILED_PRECONDITION */ && /workflow task in failed state/i.test(current.details)) return 'temporal';
    if (current instanceof ServiceError && !(current instanceof WorkflowNotFoundError)) {
      const code = (current.cause as { code?: number } | undefined)?.code;
      if (code === undefined || GRPC_UNAVAILABLE.has(code)) return 'temporal';
    }
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|No connection established|Failed to connect/i.test(current.message)) {
      return 'temporal';
    }
  }
  return null;
}

/** Rejects with DependencyUnavailable when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, dependency: DependencyUnavailable['dependency'], what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyUnavailable(dependency, `${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

