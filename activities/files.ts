import type { Logger } from '../adapters/logger';
import type { ObjectStore } from '../adapters/objectStore';
import { isApplicationOpen } from '../domain/applicationLifecycle';
import type { ApplicationView } from '../schemas';
import { collectionOf } from '../store/collection';
import { deleteFileRecord, dueFileSweeps, findFileRecord, finishFileSweep, scheduleFileSweep, type FileRecord } from '../store/files';
import type { Models } from '../store/models';
import type { ApplicationDoc } from '../store/readModels';

// The files' retention (contract, "Documents are files"): a file no submission references goes
// 24 hours after its upload; a submitted file stays while its application is open, forever when
// the application closed a deal, and `retentionDays` after an application that ended without one.
// Run by the `fileRetentionWorkflow` a Temporal Schedule starts every hour (workflows/fileRetention.ts).

export interface FileActivityDeps {
  models: Models;
  objectStore: ObjectStore;
  retentionDays: number;
  logger: Logger;
}

const DAY_MS = 86_400_000;

export type FileVerdict = { action: 'delete'; reason: 'unreferenced' | 'upload_incomplete' | 'retention_elapsed' } | { action: 'keep' } | { action: 'recheck'; atMs: number };

/** What becomes of a file when its sweep hour comes; pure, so the rules are tested without a store. */
export function fileVerdict(file: Pick<FileRecord, '_id' | 'state'>, application: ApplicationView | null, nowMs: number, retentionDays: number): FileVerdict {
  if (file.state !== 'stored') return { action: 'delete', reason: 'upload_incomplete' };
  const referenced = application?.timeline.some((event) =>
    event.type === 'deal.documents_submitted' && event.data.documents.some((document) => document.fileId === file._id)) ?? false;
  if (!application || !referenced) return { action: 'delete', reason: 'unreferenced' };
  if (application.status === 'closed') return { action: 'keep' };
  if (isApplicationOpen(application.status)) return { action: 'recheck', atMs: nowMs + DAY_MS };
  const dueMs = Date.parse(application.updatedAt) + retentionDays * DAY_MS;
  return dueMs <= nowMs ? { action: 'delete', reason: 'retention_elapsed' } : { action: 'recheck', atMs: dueMs };
}

export function createFileActivities({ models, objectStore, retentionDays, logger }: FileActivityDeps) {
  const log = logger.child({ component: 'file-retention' });

  async function applicationOf(applicationId: string): Promise<ApplicationView | null> {
    const doc = (await collectionOf(models.applications).findOne({ _id: applicationId }, { projection: { view: 1 } })) as Pick<ApplicationDoc, 'view'> | null;
    return doc ? (JSON.parse(doc.view) as ApplicationView) : null;
  }

  async function sweepFile(fileId: string, nowMs: number): Promise<FileVerdict['action'] | 'gone'> {
    const file = await findFileRecord(models, fileId);
    if (!file) return 'gone';
    const verdict = fileVerdict(file, await applicationOf(file.applicationId), nowMs, retentionDays);
    if (verdict.action === 'delete') {
      // The object first: a record without its object is harmless, an object without a record is lost track of.
      await objectStore.delete(file.objectKey);
      await deleteFileRecord(models, fileId);
      log.info({ fileId, applicationId: file.applicationId, reason: verdict.reason }, 'file removed');
    } else if (verdict.action === 'recheck') {
      await scheduleFileSweep(models, fileId, verdict.atMs);
    }
    return verdict.action;
  }

  return {
    /** Sweeps every hour that has passed since the last sweep; an interrupted sweep resumes at the hour it was in. */
    async sweepFiles({ nowIso }: { nowIso?: string } = {}): Promise<{ hours: number; deleted: number; kept: number; rechecked: number }> {
      const nowMs = nowIso ? Date.parse(nowIso) : Date.now();
      const counts = { hours: 0, deleted: 0, kept: 0, rechecked: 0 };
      for (const { hour, fileIds } of await dueFileSweeps(models, nowMs)) {
        for (const fileId of fileIds) {
          const action = await sweepFile(fileId, nowMs);
          if (action === 'delete') counts.deleted += 1;
          else if (action === 'keep') counts.kept += 1;
          else if (action === 'recheck') counts.rechecked += 1;
        }
        await finishFileSweep(models, hour);
        counts.hours += 1;
      }
      return counts;
    },
  };
}

export type FileActivities = ReturnType<typeof createFileActivities>;
