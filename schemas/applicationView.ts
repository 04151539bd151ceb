import { z } from 'zod';
import { ApplicationId, IsoDateTime, Uscc } from './common';
import { ApplicationRequest, ApplicationSource, ApplicationStatus, ScreeningResult } from './application';
import { DealView } from './deal';
import { DealflowEvent } from './events';

/** `GET /v1/applications/:id`; `screening` is null until screening has run. */
export const ApplicationView = z.object({
  applicationId: ApplicationId,
  enterpriseUscc: Uscc,
  status: ApplicationStatus,
  request: ApplicationRequest,
  /** The forum meeting this application follows up, when it does. */
  source: ApplicationSource.optional(),
  screening: ScreeningResult.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  timeline: z.array(DealflowEvent),
  deals: z.array(DealView),
});
export type ApplicationView = z.infer<typeof ApplicationView>;
