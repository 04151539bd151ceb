import { serialProducer, type ProducerSession, type TopicMessages } from '../../../adapters/serialProducer';

// A broker that deduplicates by producer id and sequence, as Kafka's idempotence does, and a
// session that numbers its batches as kafkajs 2.2.4 does: a request that throws gives its
// sequence numbers back, even when the broker had written the batch.

class Broker {
  readonly log: string[] = [];
  private readonly nextSequence = new Map<number, number>();
  writeButFailNext = false;

  produce(producerId: number, firstSequence: number, values: string[]): void {
    const expected = this.nextSequence.get(producerId) ?? 0;
    if (firstSequence < expected) return; // a duplicate of a batch it has: acknowledged, not written
    this.log.push(...values);
    this.nextSequence.set(producerId, firstSequence + values.length);
    if (this.writeButFailNext) {
      this.writeButFailNext = false;
      throw new Error('connection closed after the write');
    }
  }
}

function sessions(broker: Broker) {
  const opened: { producerId: number; requests: string[][] }[] = [];
  const open = async (): Promise<ProducerSession> => {
    const session = { producerId: opened.length + 1, requests: [] as string[][] };
    opened.push(session);
    let sequence = 0;
    return {
      async sendBatch(topicMessages: TopicMessages[]) {
        const values = topicMessages.flatMap((t) => t.messages.map((m) => m.value));
        session.requests.push(values);
        const first = sequence;
        sequence += values.length;
        try {
          broker.produce(session.producerId, first, values);
        } catch (error) {
          sequence -= values.length;
          throw error;
        }
      },
      close: async () => undefined,
    };
  };
  return { open, opened };
}

const message = (value: string) => ({ key: value, value });

test('after a request fails, the next one goes through a new producer, so a batch the broker wrote cannot swallow it', async () => {
  const broker = new Broker();
  const { open, opened } = sessions(broker);
  const producer = serialProducer(open);

  await producer.send('events', [message('a1')]);
  broker.writeButFailNext = true;
  await expect(producer.send('events', [message('a2')])).rejects.toThrow('connection closed');
  await producer.send('events', [message('b1')]);

  expect(broker.log).toEqual(['a1', 'a2', 'b1']);
  expect(opened.map((s) => s.requests)).toEqual([[['a1'], ['a2']], [['b1']]]);
  await producer.close();
});

test('the same two sends through one kafkajs-like session lose the second: the case the serial producer exists for', async () => {
  const broker = new Broker();
  const { open } = sessions(broker);
  const session = await open();

  await session.sendBatch([{ topic: 'events', messages: [message('a1')] }]);
  broker.writeButFailNext = true;
  await expect(session.sendBatch([{ topic: 'events', messages: [message('a2')] }])).rejects.toThrow();
  await session.sendBatch([{ topic: 'events', messages: [message('b1')] }]);

  expect(broker.log).toEqual(['a1', 'a2']);
});

test('sends queued while a request is in flight go together in the next request, in arrival order, grouped by topic', async () => {
  const requests: TopicMessages[][] = [];
  let release: () => void = () => undefined;
  const producer = serialProducer(async () => ({
    async sendBatch(topicMessages) {
      requests.push(topicMessages);
      if (requests.length === 1) await new Promise<void>((resolve) => { release = resolve; });
    },
    close: async () => undefined,
  }));

  const first = producer.send('events', [message('1')]);
  const queued = [
    producer.send('events', [message('2'), message('3')]),
    producer.send('forums', [message('f1')]),
    producer.send('events', [message('4')]),
  ];
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await Promise.all([first, ...queued]);

  expect(requests).toEqual([
    [{ topic: 'events', messages: [message('1')] }],
    [{ topic: 'events', messages: [message('2'), message('3'), message('4')] }, { topic: 'forums', messages: [message('f1')] }],
  ]);
  await producer.close();
});

test('a request holds at most its byte budget, but a larger send still goes alone', async () => {
  const sizes: number[] = [];
  let release: () => void = () => undefined;
  const producer = serialProducer(async () => ({
    async sendBatch(topicMessages) {
      sizes.push(topicMessages.flatMap((t) => t.messages).length);
      if (sizes.length === 1) await new Promise<void>((resolve) => { release = resolve; });
    },
    close: async () => undefined,
  }), { requestBytes: 20 });

  const sends = [producer.send('t', [message('0')])];
  sends.push(producer.send('t', [message('x'.repeat(30))]), producer.send('t', [message('aaaa')]), producer.send('t', [message('bbbb')]), producer.send('t', [message('cccc')]));
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await Promise.all(sends);

  expect(sizes).toEqual([1, 1, 2, 1]);
  await producer.close();
});

test('a producer that cannot open refuses the send, and the next send tries again', async () => {
  let attempts = 0;
  const producer = serialProducer(async () => {
    attempts += 1;
    if (attempts === 1) throw new Error('broker unreachable');
    return { sendBatch: async () => undefined, close: async () => undefined };
  });
  await expect(producer.send('t', [message('1')])).rejects.toThrow('broker unreachable');
  await expect(producer.send('t', [message('2')])).resolves.toBeUndefined();
  await producer.close();
  await expect(producer.send('t', [message('3')])).rejects.toThrow('closed');
});

test('a session opened before any send is the one sends use, and closing closes it even when nothing was sent', async () => {
  const closed: string[] = [];
  const session = (name: string): ProducerSession => ({ sendBatch: async () => undefined, close: async () => { closed.push(name); } });
  let opened = 0;
  const idle = serialProducer(async () => { opened += 1; return session('opened'); }, { first: session('first') });
  await idle.close();
  expect({ opened, closed }).toEqual({ opened: 0, closed: ['first'] });

  const used = serialProducer(async () => { opened += 1; return session('opened'); }, { first: session('first again') });
  await used.send('t', [message('1')]);
  await used.close();
  expect({ opened, closed }).toEqual({ opened: 0, closed: ['first', 'first again'] });
});
