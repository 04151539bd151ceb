import { RecordEventsInput } from '../schemas';
import { storeApplication, storeDeals, storeEvents } from '../services/store/readModels';
import type { ActivityDeps } from './deps';

export function createEventActivities({ models, publisher, logger }: ActivityDeps) {
  return {
    /**
     * Makes a batch of the workflow's events visible: first the read models and the timeline in
     * MongoDB (so a read after a command shows it), then the events on Kafka, in seq order. A retry
     * rewrites the same documents and may send a copy with the same eventId, as the contract allows.
     */
    async recordEvents(raw: RecordEventsInput): Promise<void> {
      const input = RecordEventsInput.parse(raw);
      const lastSeq = input.events[input.events.length - 1]?.seq ?? 0;
      // Different documents, so the three writes need no order among themselves.
      await Promise.all([
        storeEvents(models, input.events),
        storeApplication(models, input.application, lastSeq),
        storeDeals(models, input.deals, lastSeq),
      ]);
      await publisher.publish(input.events);
      logger.debug({ applicationId: input.application.applicationId, lastSeq, count: input.events.length }, 'events recorded');
    },
  };
}
