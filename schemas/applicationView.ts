import { z } from 'zod';
import { DealView } from './deal';
import { DealflowEvent } from './events';
import { ApplicationRecord } from './workflow';

/**
 * `GET /v1/applications/:id`: the application's read model with its timeline and deals (its region
 * and offer deadline stay internal); `screening` is null until screening has run, `source` is the
 * forum meeting the application follows up, when it does.
 */
export const ApplicationView = ApplicationRecord.omit({ region: true, offerDeadline: true }).extend({
  timeline: z.array(DealflowEvent),
  deals: z.array(DealView),
});
export type ApplicationView = z.infer<typeof ApplicationView>;
