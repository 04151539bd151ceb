import type { z } from 'zod';
import { isIsoDate } from './beijingDate';
import { qualificationTermProblem } from './qualificationTerms';
import type { QualificationType } from './common';

/** A recognition's dates, on a profile or in the registry: in order, and no longer than the type's published term. */
export function checkValidity(
  value: { type: QualificationType; validFrom: string; validTo: string },
  ctx: z.RefinementCtx,
): void {
  if (!isIsoDate(value.validFrom) || !isIsoDate(value.validTo)) return;
  if (value.validTo < value.validFrom) {
    ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validTo must not be before validFrom' });
    return;
  }
  const problem = qualificationTermProblem(value.type, value.validFrom, value.validTo);
  if (problem !== null) ctx.addIssue({ code: 'custom', path: ['validTo'], message: problem });
}
