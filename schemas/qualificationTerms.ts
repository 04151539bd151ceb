import { addCalendarYears } from './beijingDate';
import type { QualificationType } from './common';

/**
 * The longest validity each recognition is published with. A certificate or registry entry valid
 * for longer is an input error, not a longer recognition.
 * - little_giant, srdi_sme, innovative_sme: three years, 《优质中小企业梯度培育管理暂行办法》
 *   (工信部企业〔2022〕63号): 创新型中小企业、专精特新中小企业、专精特新"小巨人"企业 are each recognised for three years.
 * - high_tech: three years from the certificate's date, 《高新技术企业认定管理办法》(国科发火〔2016〕32号).
 * - single_champion_national: three years, 《制造业单项冠军企业认定管理办法》(工信部产业〔2016〕105号 and its 2023 revision).
 * - single_champion_municipal: three years, our decision: the municipal lists (e.g. Shanghai's 制造业单项冠军)
 *   follow the national scheme's three-year re-assessment cycle, and none we know of runs longer.
 */
export const QUALIFICATION_TERM_YEARS: Readonly<Record<QualificationType, number>> = {
  little_giant: 3,
  srdi_sme: 3,
  innovative_sme: 3,
  high_tech: 3,
  single_champion_national: 3,
  single_champion_municipal: 3,
};

/**
 * Why a validity is not one the type is published with, or null. The last day allowed is the same
 * month and day `years` later (certificates are written "2025-01-15 至 2028-01-15" as often as "至 2028-01-14").
 */
export function qualificationTermProblem(type: QualificationType, validFrom: string, validTo: string): string | null {
  const years = QUALIFICATION_TERM_YEARS[type];
  const latest = addCalendarYears(validFrom, years);
  if (validTo <= latest) return null;
  return `a ${type} recognition is valid for at most ${years} years: from ${validFrom}, validTo must be ${latest} or earlier, got ${validTo}`;
}
