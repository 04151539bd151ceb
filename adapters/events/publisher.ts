import type { z } from 'zod';
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
  return createContractPublisher(producer, topic, { what: 'event', schema: DealflowEvent, keyOf: (event) => event.applicationId });
}

/**
 * Publishes events that `schema` (the contract) accepts, each keyed by `keyOf` so one partition
 * holds one key's events in order; a batch with an event the contract refuses sends nothing.
 */
export function createContractPublisher<E extends { eventId: string; type: string }>(
  producer: EventProducer,
  topic: string,
  contract: { what: string; schema: z.ZodType<E>; keyOf: (event: E) => string },
): { publish(events: readonly E[]): Promise<void> } {
  return {
    async publish(events) {
      const messages = events.map((event) => {
        const checked = contract.schema.safeParse(event);
        if (!checked.success) {
          const where = toValidationIssues(checked.error).map((i) => `${i.path}: ${i.message}`).join('; ');
          throw new InvalidEventError(`${contract.what} ${event.eventId} (${event.type}) breaks the contract: ${where}`);
        }
        return {
          key: contract.keyOf(checked.data),
          value: JSON.stringify(checked.data),
          headers: { eventId: checked.data.eventId, type: checked.data.type },
        };
      });
      await producer.send(topic, messages);
    },
  };
}
