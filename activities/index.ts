import type { ActivityDeps } from './deps';
import { createCalendarActivities } from './calendar';
import { createEligibilityActivities } from './eligibility';
import { createEventActivities } from './events';
import { createMatchingActivities } from './matching';
import { createScreeningActivities } from './screening';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createScreeningActivities(deps),
    ...createMatchingActivities(deps),
    ...createEventActivities(deps),
    ...createCalendarActivities(deps),
    ...createEligibilityActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
