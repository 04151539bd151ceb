import { ForumEvent } from '../../schemas';
import type { EventProducer } from '../kafka';
import { createContractPublisher } from './publisher';

// Publishes a forum's events to the forum topic (`DEALFLOW_FORUM_TOPIC`): validated by the
// contract's schema, keyed by forumId so one partition holds them in seq order.

export interface ForumEventPublisher {
  publish(events: readonly ForumEvent[]): Promise<void>;
}

export function createForumEventPublisher(producer: EventProducer, topic: string): ForumEventPublisher {
  return createContractPublisher(producer, topic, { what: 'forum event', schema: ForumEvent, keyOf: (event) => event.forumId });
}
