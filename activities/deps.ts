import type { EventPublisher } from '../services/events/publisher';
import type { Logger } from '../services/logger';
import type { Catalogue } from '../services/store/catalogue';
import type { Models } from '../services/store/models';

/** What activities need, built by the worker (the composition root) and passed in. */
export interface ActivityDeps {
  models: Models;
  catalogue: Catalogue;
  publisher: EventPublisher;
  logger: Logger;
}
