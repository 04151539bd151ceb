import type { EventPublisher } from '../adapters/events/publisher';
import type { Logger } from '../adapters/logger';
import type { Catalogue } from '../store/catalogue';
import type { Models } from '../store/models';

/** What activities need, built by the worker (the composition root) and passed in. */
export interface ActivityDeps {
  models: Models;
  catalogue: Catalogue;
  publisher: EventPublisher;
  logger: Logger;
}
