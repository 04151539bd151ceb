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

// ---------- importing a published list (`POST /v1/registries/recognitions/import`) ----------

/** The CSV header, in this order; a JSON array carries objects with the same fields. */
export const RECOGNITION_IMPORT_COLUMNS = ['uscc', 'type', 'certificateNo', 'validFrom', 'validTo', 'name'] as const;
export const RECOGNITION_IMPORT_MAX_ROWS = 10_000;

/** One row of a published list: a recognition and the enterprise it names. */
export const RecognitionImportRow = z
  .strictObject({
    uscc: Uscc,
    type: QualificationType,
    certificateNo: z.string().trim().min(1, 'certificateNo is required').max(100),
    validFrom: IsoDate,
    validTo: IsoDate,
    name: z.string().trim().min(1, 'name is required: the enterprise as the list names it').max(200),
  })
  .superRefine(checkValidity);
export type RecognitionImportRow = z.infer<typeof RecognitionImportRow>;

/** A row that was not imported: its position among the data rows (1 = the first after the CSV header) and why. */
export const RejectedImportRow = z.object({
  row: z.int().positive(),
  uscc: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
export type RejectedImportRow = z.infer<typeof RejectedImportRow>;

export const RecognitionImportReport = z.object({
  accepted: z.int().nonnegative().describe('rows that added a recognition or changed its dates'),
  unchanged: z.int().nonnegative().describe('rows already on record as they are'),
  rejected: z.array(RejectedImportRow),
});
export type RecognitionImportReport = z.infer<typeof RecognitionImportReport>;
