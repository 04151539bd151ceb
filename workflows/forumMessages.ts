import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  EnterpriseRegistrationInput, ForumInput, ForumRecord, ForumRegistration, InstitutionRegistrationInput, Meeting, MeetingOutcomeInput,
} from '../schemas';

// What a forum workflow answers to from outside: its id, its query and updates. The API and the
// tests import these; loading this module loads no workflow code. Rejections are typed as the
// application's (CommandRejection in messages.ts): 400, 404 and 409 at the API.

/** The workflow's type: its function's name in workflows/forum.ts. */
export const forumWorkflowType = 'forumWorkflow';

export const forumWorkflowId = (forumId: string): string => `forum-${forumId}`;

export const FORUM_DEFAULTS = {
  /** `DEALFLOW_FORUM_MEETINGS_PER_ENTERPRISE`. */
  meetingsPerEnterprise: 3,
  /** How long after the forum ends its parties may still record outcomes. */
  outcomeWindowDays: 14,
} as const;

export interface ForumWorkflowInput {
  forum: ForumInput & { forumId: string };
  createdAt: string;
  settings: { meetingsPerEnterprise: number; outcomeWindowDays: number };
}

/** The party acting: an enterprise by its uscc or an institution by its id. */
export type ForumParty = { role: 'enterprise'; org: string } | { role: 'institution'; org: string };

export type RegistrationCommand =
  | ({ party: 'enterprise'; enterpriseUscc: string } & EnterpriseRegistrationInput)
  | ({ party: 'institution'; institutionId: string } & InstitutionRegistrationInput);

export interface MeetingCommand {
  meetingId: string;
  by: ForumParty;
}

export interface ForumSnapshot {
  forum: ForumRecord;
  meetings: Meeting[];
}

/** What ops' commands answer: the forum and its meetings not declined (a whole agenda may exceed an update's 2 MB result). */
export interface ForumSummary {
  forum: ForumRecord;
  activeMeetings: number;
}

export const getForumQuery = defineQuery<ForumSnapshot>('getForum');
export const registerUpdate = defineUpdate<ForumRegistration, [RegistrationCommand]>('register');
export const withdrawRegistrationUpdate = defineUpdate<{ withdrawn: true }, [ForumParty]>('withdrawRegistration');
export const scheduleNowUpdate = defineUpdate<ForumSummary, [{ requestedBy: string }]>('scheduleNow');
export const cancelForumUpdate = defineUpdate<ForumSummary, [{ reason: string }]>('cancelForum');
export const confirmMeetingUpdate = defineUpdate<Meeting, [MeetingCommand]>('confirmMeeting');
/** Answers the declined meeting and, when one was found, the meeting that took its place. */
export const declineMeetingUpdate = defineUpdate<{ declined: Meeting; replacement: Meeting | null }, [MeetingCommand]>('declineMeeting');
export const meetingOutcomeUpdate = defineUpdate<Meeting, [MeetingCommand & { outcome: MeetingOutcomeInput }]>('meetingOutcome');

/** What the workflow returns when the forum's work is over. */
export interface ForumOutcome {
  forumId: string;
  status: ForumRecord['status'];
  meetings: number;
}
