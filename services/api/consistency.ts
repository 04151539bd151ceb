import type { FastifyReply } from 'fastify';
import type { Freshness } from './readCache';

// Read-your-writes across API replicas. Each replica's read cache learns of changes from its own
// feed of the topic, so right after a command answered by replica A, replica B may still hold the
// view from before it (until its feed delivers the event, at most the cache's age limit). A command
// answers the application's seq after it in `X-Dealflow-Seq`; a read that sends that number back
// in `X-Dealflow-Min-Seq` skips any cached view older than it and reads the store, where the
// command's result is (a command answers 200 only once its events are in the read models).

export const SEQ_HEADER = 'x-dealflow-seq';

/** The token a command's answer carries. */
export function answerSeq(reply: FastifyReply, seq: number): FastifyReply {
  return reply.header(SEQ_HEADER, String(seq));
}

/** For a read model document: cached is fresh when it shows at least `minSeq`. */
export function atLeast<T extends { lastSeq: number } | null>(minSeq: number | undefined): Freshness<T> | undefined {
  return minSeq === undefined ? undefined : (cached) => cached !== null && cached.lastSeq >= minSeq;
}

/** For a list or anything else that carries no seq: a read with a token is answered from the store. */
export function anyCached<T>(minSeq: number | undefined): Freshness<T> | undefined {
  return minSeq === undefined ? undefined : () => false;
}
