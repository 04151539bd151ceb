import type { ActivityDeps } from './deps';
import { createEventActivities } from './events';
import { createMatchingActivities } from './matching';
import { createScreeningActivities } from './screening';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createScreeningActivities(deps),
    ...createMatchingActivities(deps),
    ...createEventActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
