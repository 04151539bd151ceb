import type { ApplicationSource } from '../schemas';
import type { Models } from './models';

// The forum meeting an application follows up, as the forum store keeps it: the collection
// `forum_agendas`, one document per participant of a forum (`_id = "<forumId>:<uscc>"`), whose
// `meetings` is the JSON of that participant's meetings. Read by `_id` through the connection, so
// this reader needs nothing of the forum store but its documents.

export interface MeetingFollowUp {
  institutionId: string;
  /** The meeting's recorded outcome: `apply` when the enterprise said it would apply; null before an outcome. */
  followUp: 'apply' | 'none' | null;
}

interface StoredMeeting {
  meetingId: string;
  enterpriseUscc: string;
  institutionId: string;
  outcome?: { followUp?: 'apply' | 'none' } | null;
}

/** The enterprise's own meeting named by `source`, or null when it is not one of its meetings. */
export async function meetingFollowUpFor(models: Models, uscc: string, source: ApplicationSource): Promise<MeetingFollowUp | null> {
  const agendas = models.applications.db.collection<{ _id: string; meetings?: unknown; current?: { meetings?: unknown } }>('forum_agendas');
  const doc = await agendas.findOne({ _id: `${source.forumId}:${uscc}` }, { projection: { meetings: 1, current: 1 } });
  // What the last batch wrote is in `current` (forums.ts); a document of the earlier layout has it at the top.
  const meetings = doc?.current?.meetings ?? doc?.meetings;
  if (typeof meetings !== 'string') return null;
  const meeting = (JSON.parse(meetings) as StoredMeeting[]).find((m) => m.meetingId === source.meetingId);
  if (!meeting || meeting.enterpriseUscc !== uscc) return null;
  return { institutionId: meeting.institutionId, followUp: meeting.outcome?.followUp ?? null };
}
