// One produce request at a time through one producer session; a failed request ends its session.
//
// Why: kafkajs 2.2.4's idempotent producer gives a failed request's sequence numbers back, even
// when the dying leader had written (and replicated) the batch. The next request to that
// partition reuses them, and the new leader drops it as a duplicate of the batch it already has:
// an event acknowledged and never written (seen once in five cluster runs after a controller
// kill; the same case librdkafka fixed in confluentinc/librdkafka#4438). A session is a producer
// id, so a fresh session after a failure makes that reuse impossible. The failed request's own
// messages are sent again by their caller, and consumers absorb the copy by `seq`.

export interface OutgoingMessage { key: string; value: string; headers?: Record<string, string> }
export interface TopicMessages { topic: string; messages: OutgoingMessage[] }

/** One idempotent producer (one producer id), connected. */
export interface ProducerSession {
  sendBatch(topicMessages: TopicMessages[]): Promise<void>;
  close(): Promise<void>;
}

export interface SerialProducer {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

interface Pending extends TopicMessages {
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** Sends queued while a request is in flight go together in the next one, up to this many bytes (a single larger send goes alone). */
const REQUEST_BYTES = 512 * 1024;

/**
 * Serialises sends through sessions opened by `open`: sends that arrive while a request is in
 * flight are coalesced into the next request (in arrival order, so each key keeps its order), and
 * after a request fails its session is closed and the next request opens a new one. `first`: a
 * session already open (the caller's check at start), used and closed like the ones it opens.
 */
export function serialProducer(open: () => Promise<ProducerSession>, options: { first?: ProducerSession; requestBytes?: number } = {}): SerialProducer {
  const requestBytes = options.requestBytes ?? REQUEST_BYTES;
  const queue: Pending[] = [];
  let session: Promise<ProducerSession> | null = options.first ? Promise.resolve(options.first) : null;
  let pumping: Promise<void> | null = null;
  let closed = false;

  const currentSession = async (): Promise<ProducerSession> => {
    session ??= open();
    try {
      return await session;
    } catch (error) {
      session = null;
      throw error;
    }
  };

  const endSession = (): void => {
    const ended = session;
    session = null;
    // Closing is best effort: the session already failed, and nothing will be sent through it again.
    void ended?.then((s) => s.close()).catch(() => undefined);
  };

  const takeRequest = (): Pending[] => {
    const request = [queue.shift() as Pending];
    let bytes = request[0]!.bytes;
    while (queue.length > 0 && bytes + queue[0]!.bytes <= requestBytes) {
      const next = queue.shift() as Pending;
      bytes += next.bytes;
      request.push(next);
    }
    return request;
  };

  const pump = async (): Promise<void> => {
    while (queue.length > 0) {
      const request = takeRequest();
      try {
        const producer = await currentSession();
        await producer.sendBatch(byTopic(request));
        for (const pending of request) pending.resolve();
      } catch (error) {
        endSession();
        for (const pending of request) pending.reject(error);
      }
    }
  };

  // Restarted from its own end: a send queued after the loop's last check still goes out.
  const kick = (): void => {
    if (pumping || queue.length === 0) return;
    pumping = pump().finally(() => {
      pumping = null;
      kick();
    });
  };

  return {
    send(topic, messages) {
      if (closed) return Promise.reject(new Error('the Kafka producer is closed'));
      return new Promise<void>((resolve, reject) => {
        const bytes = messages.reduce((sum, m) => sum + m.key.length + m.value.length, 0);
        queue.push({ topic, messages, bytes, resolve, reject });
        kick();
      });
    },
    async close() {
      closed = true;
      while (pumping) await pumping;
      const last = session;
      session = null;
      if (last) await (await last).close();
    },
  };
}

function byTopic(request: readonly Pending[]): TopicMessages[] {
  const topics = new Map<string, OutgoingMessage[]>();
  for (const { topic, messages } of request) {
    const list = topics.get(topic) ?? [];
    list.push(...messages);
    topics.set(topic, list);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
