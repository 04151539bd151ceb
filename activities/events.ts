import { RecordEventsInput } from '../schemas';
import { isApplicationTerminal } from '../domain/applicationLifecycle';
import { removeOpenApplication } from '../store/openApplications';
import { storeBatch } from '../store/readModels';
import type { ActivityDeps } from './deps';

export function createEventActivities({ models, publisher, logger }: ActivityDeps) {
  return {
    /**
     * Makes a batch of the workflow's events visible: first the read models in MongoDB (so a read
     * after a command shows it), then the events on Kafka, in seq order. A retry finds the read
     * models written and may send a copy with the same eventId, as the contract allows.
     */
    async recordEvents(raw: RecordEventsInput): Promise<void> {
      const input = RecordEventsInput.parse(raw);
      const stored = await storeBatch(models, input);
      const { application } = input;
      if (isApplicationTerminal(application.status)) await removeOpenApplication(models, application.enterpriseUscc, application.applicationId);
      await publisher.publish(input.events);
      logger.debug({ applicationId: input.application.applicationId, lastSeq: input.events[input.events.length - 1]?.seq, count: input.events.length, stored }, 'events recorded');
    },
  };
}
