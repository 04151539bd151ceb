import type { mongo } from 'mongoose';
import { collectionOf, isDuplicateKey, type StoredDoc } from './collection';
import type { Models } from './models';

// Each enterprise's applications that may still be open, one document per enterprise by `_id`
// (FerretDB pushes down nothing else). Listing an enterprise as a dishonest debtor reads it to
// signal each application. An id is added before its workflow starts and removed when the
// application ends, so an application either sees the listing at screening or is found here.

// The driver's types allow array operators only on fields the document type declares.
const addId = (applicationId: string): mongo.UpdateFilter<StoredDoc> => ({ $addToSet: { applicationIds: applicationId } }) as unknown as mongo.UpdateFilter<StoredDoc>;

export async function addOpenApplication(models: Models, uscc: string, applicationId: string): Promise<void> {
  const collection = collectionOf(models.openApplications);
  try {
    await collection.updateOne({ _id: uscc }, addId(applicationId), { upsert: true });
  } catch (error) {
    // Two first applications at once: the other created the document.
    if (!isDuplicateKey(error)) throw error;
    await collection.updateOne({ _id: uscc }, addId(applicationId));
  }
}

export async function removeOpenApplication(models: Models, uscc: string, applicationId: string): Promise<void> {
  await collectionOf(models.openApplications).updateOne({ _id: uscc }, { $pull: { applicationIds: applicationId } } as unknown as mongo.UpdateFilter<StoredDoc>);
}

export async function openApplicationIds(models: Models, uscc: string): Promise<string[]> {
  const doc = await collectionOf(models.openApplications).findOne({ _id: uscc });
  const ids = doc?.applicationIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}
