import type { Recognition } from '../schemas';

// The recognition registry keeps one entry per (type, certificate number) of an enterprise: a
// published list names each certificate once, and the same list loaded twice must change nothing.

export const recognitionKey = (r: Pick<Recognition, 'type' | 'certificateNo'>): string => `${r.type}#${r.certificateNo}`;

export type MergeOutcome = 'accepted' | 'unchanged';

/** The enterprise's list with `incoming` added, or its dates replaced when the certificate is already on record. */
export function mergeRecognition(onRecord: readonly Recognition[], incoming: Recognition): { recognitions: Recognition[]; outcome: MergeOutcome } {
  const key = recognitionKey(incoming);
  const index = onRecord.findIndex((r) => recognitionKey(r) === key);
  if (index === -1) return { recognitions: [...onRecord, incoming], outcome: 'accepted' };
  const current = onRecord[index] as Recognition;
  if (current.validFrom === incoming.validFrom && current.validTo === incoming.validTo) {
    return { recognitions: [...onRecord], outcome: 'unchanged' };
  }
  const recognitions = [...onRecord];
  recognitions[index] = incoming;
  return { recognitions, outcome: 'accepted' };
}
