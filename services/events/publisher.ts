import { DealflowEvent, toValidationIssues } from '../../schemas';
import type { EventProducer } from '../kafka';

// Publishes the events of one application to the topic: validated by the contract's schema,
// keyed by applicationId so one partition holds them in seq order.

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

export interface EventPublisher {
  publish(events: readonly DealflowEvent[]): Promise<void>;
}

export function createEventPublisher(producer: EventProducer, topic: string): EventPublisher {
  return {
    async publish(events) {
      const messages = events.map((event) => {
        const checked = DealflowEvent.safeParse(event);
        if (!checked.success) {
          const where = toValidationIssues(checked.error).map((i) => `${i.path}: ${i.message}`).join('; ');
          throw new InvalidEventError(`event ${event.eventId} (${event.type}) breaks the contract: ${where}`);
        }
        return {
          key: checked.data.applicationId,
          value: JSON.stringify(checked.data),
          headers: { eventId: checked.data.eventId, type: checked.data.type },
        };
      });
      await producer.send(topic, messages);
    },
  };
}
