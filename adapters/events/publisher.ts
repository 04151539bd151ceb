import type { z } from 'zod';
import { DealflowEvent, toValidationIssues } from '../../schemas';
import type { EventProducer } from '../kafka';
import { tracedProduce } from '../tracing';

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
      const checked = events.map((event) => {
        const result = contract.schema.safeParse(event);
        if (!result.success) {
          const where = toValidationIssues(result.error).map((i) => `${i.path}: ${i.message}`).join('; ');
          throw new InvalidEventError(`${contract.what} ${event.eventId} (${event.type}) breaks the contract: ${where}`);
        }
        return result.data;
      });
      // Traced, each message carries the produce span's context (`traceparent`) to its consumers.
      await tracedProduce(topic, checked.length, (traceHeaders) => producer.send(topic, checked.map((event) => ({
        key: contract.keyOf(event),
        value: JSON.stringify(event),
        headers: { eventId: event.eventId, type: event.type, ...traceHeaders },
      }))));
    },
  };
}
