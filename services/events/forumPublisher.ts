import { ForumEvent, toValidationIssues } from '../../schemas';
import type { EventProducer } from '../kafka';
import { InvalidEventError } from './publisher';

// Publishes a forum's events to the forum topic (`DEALFLOW_FORUM_TOPIC`): validated by the
// contract's schema, keyed by forumId so one partition holds them in seq order.

export interface ForumEventPublisher {
  publish(events: readonly ForumEvent[]): Promise<void>;
}

export function createForumEventPublisher(producer: EventProducer, topic: string): ForumEventPublisher {
  return {
    async publish(events) {
      const messages = events.map((event) => {
        const checked = ForumEvent.safeParse(event);
        if (!checked.success) {
          const where = toValidationIssues(checked.error).map((i) => `${i.path}: ${i.message}`).join('; ');
          throw new InvalidEventError(`forum event ${event.eventId} (${event.type}) breaks the contract: ${where}`);
        }
        return { key: checked.data.forumId, value: JSON.stringify(checked.data), headers: { eventId: checked.data.eventId, type: checked.data.type } };
      });
      await producer.send(topic, messages);
    },
  };
}
