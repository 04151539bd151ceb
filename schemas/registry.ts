import { z } from 'zod';
import { IsoDate, IsoDateTime, QualificationType, Uscc } from './common';
import { checkValidity } from './validity';

/** One recognition on public record (e.g. the MIIT Little Giant list), against which claims are verified. */
export const Recognition = z
  .strictObject({
    type: QualificationType,
    certificateNo: z.string().trim().min(1, 'certificateNo is required').max(100),
    validFrom: IsoDate,
    validTo: IsoDate,
  })
  .superRefine(checkValidity);
export type Recognition = z.infer<typeof Recognition>;

/** Body of `PUT /v1/registries/recognitions/:uscc`: the full set on record, replacing the previous one. */
export const RecognitionList = z.array(Recognition).max(100);
export type RecognitionList = z.infer<typeof RecognitionList>;

/** Optional body of `PUT /v1/registries/dishonest-debtors/:uscc` (失信被执行人 list). */
export const DishonestDebtorInput = z.strictObject({
  caseNo: z.string().trim().min(1).max(100).optional(),
  court: z.string().trim().min(1).max(200).optional(),
  reason: z.string().trim().min(1).max(1000).optional(),
});
export type DishonestDebtorInput = z.infer<typeof DishonestDebtorInput>;

export const DishonestDebtor = z.object({
  uscc: Uscc,
  listedAt: IsoDateTime,
  caseNo: z.string().optional(),
  court: z.string().optional(),
  reason: z.string().optional(),
});
export type DishonestDebtor = z.infer<typeof DishonestDebtor>;
