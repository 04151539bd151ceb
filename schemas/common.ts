import { z } from 'zod';
import { usccProblems } from './uscc';
import { FILE_ID_PATTERN } from './vocabulary';

// ---------------------------------------------------------------------------
// Unified Social Credit Code (GB 32100-2015)
// ---------------------------------------------------------------------------

export {
  USCC_CHARSET, USCC_WEIGHTS, composeUscc, isValidUscc, organisationCodeCheckDigit, provinceOfUscc, usccCheckCharacter,
  usccProblems, usccRegionProblem,
} from './uscc';

/** The first reason a string is not a USCC, or null when it is one; shared by the schema and screening. */
export function usccProblem(s: string): string | null {
  return usccProblems(s)[0] ?? null;
}

export const Uscc = z.string().superRefine((s, ctx) => {
  for (const message of usccProblems(s)) ctx.addIssue({ code: 'custom', message });
});
export type Uscc = z.infer<typeof Uscc>;

// ---------------------------------------------------------------------------
// Region (ISO 3166-2:CN provincial-level codes)
// ---------------------------------------------------------------------------

export const REGION_CODES = [
  'CN-AH', 'CN-BJ', 'CN-CQ', 'CN-FJ', 'CN-GD', 'CN-GS', 'CN-GX', 'CN-GZ', 'CN-HA', 'CN-HB', 'CN-HE',
  'CN-HI', 'CN-HK', 'CN-HL', 'CN-HN', 'CN-JL', 'CN-JS', 'CN-JX', 'CN-LN', 'CN-MO', 'CN-NM', 'CN-NX',
  'CN-QH', 'CN-SC', 'CN-SD', 'CN-SH', 'CN-SN', 'CN-SX', 'CN-TJ', 'CN-TW', 'CN-XJ', 'CN-XZ', 'CN-YN',
  'CN-ZJ',
] as const;
export const Region = z.enum(REGION_CODES, {
  error: (issue) => `must be an ISO 3166-2:CN provincial code such as CN-SH, got ${JSON.stringify(issue.input)}`,
});
export type Region = z.infer<typeof Region>;

/** Shanghai, Jiangsu, Zhejiang, Anhui: the Yangtze River Delta the platform is built for. */
export const YRD_REGIONS = ['CN-SH', 'CN-JS', 'CN-ZJ', 'CN-AH'] as const satisfies readonly Region[];
export type YrdRegion = (typeof YRD_REGIONS)[number];
export function isYrdRegion(region: string): region is YrdRegion {
  return (YRD_REGIONS as readonly string[]).includes(region);
}

// ---------------------------------------------------------------------------
// Money, rates, times
// ---------------------------------------------------------------------------

/** Whole yuan; integers keep sums exact and z.int() keeps them within Number.MAX_SAFE_INTEGER. */
export const AmountCny = z.int().positive();
export type AmountCny = z.infer<typeof AmountCny>;

/** Revenue and similar figures may legitimately be zero (a start-up with no sales yet). */
export const NonNegativeCny = z.int().nonnegative();

export const Bps = z.int();
export type Bps = z.infer<typeof Bps>;

/** UTC only ("Z"): offsets would make string comparison and ordering of timestamps unsafe. */
export const IsoDateTime = z.iso.datetime({ message: 'must be an ISO-8601 UTC date-time such as 2025-01-31T08:00:00Z' });
export type IsoDateTime = z.infer<typeof IsoDateTime>;

/** Calendar date YYYY-MM-DD; compared as strings, which orders correctly for this format. */
export const IsoDate = z.iso.date({ message: 'must be a calendar date YYYY-MM-DD' });
export type IsoDate = z.infer<typeof IsoDate>;

// ---------------------------------------------------------------------------
// Vocabulary enums
// ---------------------------------------------------------------------------

export const INSTRUMENTS = [
  'credit_loan', 'ip_pledge_loan', 'working_capital_loan', 'supply_chain_finance',
  'equity', 'convertible', 'leasing', 'guarantee',
] as const;
export const Instrument = z.enum(INSTRUMENTS);
export type Instrument = z.infer<typeof Instrument>;

export const QUALIFICATION_TYPES = [
  'little_giant', 'srdi_sme', 'single_champion_national', 'single_champion_municipal', 'high_tech', 'innovative_sme',
] as const;
export const QualificationType = z.enum(QUALIFICATION_TYPES);
export type QualificationType = z.infer<typeof QualificationType>;

/** Human labels with the Chinese term, so messages read right to both ops staff and enterprises. */
export const QUALIFICATION_LABELS: Readonly<Record<QualificationType, string>> = {
  little_giant: '专精特新 "Little Giant" (national)',
  srdi_sme: '专精特新 specialised-and-sophisticated SME (provincial)',
  single_champion_national: '制造业单项冠军 single-item champion (national)',
  single_champion_municipal: '制造业单项冠军 single-item champion (municipal)',
  high_tech: '高新技术企业 high-tech enterprise',
  innovative_sme: '创新型中小企业 innovative SME',
};

export const INSTITUTION_KINDS = ['bank', 'vc_fund', 'pe_fund', 'guarantor', 'leasing'] as const;
export const InstitutionKind = z.enum(INSTITUTION_KINDS);
export type InstitutionKind = z.infer<typeof InstitutionKind>;

/** GB/T 4754-2017: section letter A–T, then division (2), group (3) or class (4) digits. */
export const Gb4754 = z
  .string()
  .regex(/^[A-T](\d{2,4})?$/, 'must be a GB/T 4754 code: a section letter A-T optionally followed by 2-4 digits, e.g. C, C39, C3911');
export type Gb4754 = z.infer<typeof Gb4754>;

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

// Ids travel in URL paths, Temporal workflow ids and `<applicationId>:<seq>` event ids, so no ':' or '/'.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const idSchema = (what: string) =>
  z.string().regex(ID_PATTERN, `${what} must be 1-64 characters of letters, digits, '_', '.', '-', starting with a letter or digit`);

export const ApplicationId = idSchema('applicationId');
export type ApplicationId = z.infer<typeof ApplicationId>;
export const DealId = idSchema('dealId');
export type DealId = z.infer<typeof DealId>;
export const InstitutionId = idSchema('institutionId');
export type InstitutionId = z.infer<typeof InstitutionId>;
export const ProductId = idSchema('productId');
export type ProductId = z.infer<typeof ProductId>;
export const FileId = z.string().regex(FILE_ID_PATTERN, 'fileId must be "file_" and 32 lower-case hex digits, as POST /v1/applications/:id/files answered it');
export type FileId = z.infer<typeof FileId>;

// ---------------------------------------------------------------------------
// Shared HTTP shapes
// ---------------------------------------------------------------------------

export const ValidationIssue = z.object({ path: z.string(), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ValidationFailed = z.object({
  error: z.literal('validation_failed'),
  issues: z.array(ValidationIssue),
});
export type ValidationFailed = z.infer<typeof ValidationFailed>;

/** Flattens zod issues to the contract's `{ path, message }`, path as dotted text ("termSheet.amountCny"). */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => String(p)).join('.'),
    message: issue.message,
  }));
}

export const LIST_LIMIT_MAX = 100;
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).default(20),
  cursor: z.string().min(1).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** `{ items, nextCursor }`; nextCursor is null on the last page. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
