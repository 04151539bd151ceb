import { z } from 'zod';
import {
  AmountCny, Gb4754, InstitutionId, InstitutionKind, Instrument, NonNegativeCny, ProductId,
  QualificationType, Region,
} from './common';

const institutionShape = {
  name: z.string().trim().min(1, 'name is required').max(200),
  kind: InstitutionKind,
  regions: z.array(Region).min(1, 'an institution serves at least one region'),
};

/** Body of `PUT /v1/institutions/:id`. */
export const InstitutionInput = z.strictObject(institutionShape);
export type InstitutionInput = z.infer<typeof InstitutionInput>;

export const Institution = z.object({ institutionId: InstitutionId, ...institutionShape });
export type Institution = z.infer<typeof Institution>;

/** GB/T 4754 prefixes; a product's empty `include` means every industry. */
export const IndustryFilter = z.strictObject({
  include: z.array(Gb4754).max(200).default([]),
  exclude: z.array(Gb4754).max(200).default([]),
});
export type IndustryFilter = z.infer<typeof IndustryFilter>;

const productShape = {
  name: z.string().trim().min(1, 'name is required').max(200),
  instruments: z.array(Instrument).min(1, 'a product offers at least one instrument'),
  minAmountCny: AmountCny,
  maxAmountCny: AmountCny,
  regions: z.array(Region).min(1, 'a product serves at least one region'),
  industries: IndustryFilter.default({ include: [], exclude: [] }),
  requiredQualifications: z.array(QualificationType).default([]),
  minRevenueCny: NonNegativeCny.optional(),
  minYearsSinceFounding: z.int().min(0).max(200).optional(),
  responseSlaHours: z.int().positive().max(24 * 90).default(72),
  ddSlaDays: z.int().positive().max(365).default(30),
  /** When set, replaces responseSlaHours: the answer is due by 24:00 Beijing time of the N-th working day. */
  responseSlaWorkingDays: z.int().min(1).max(60).optional(),
  /** When set, replaces ddSlaDays, counted the same way. */
  ddSlaWorkingDays: z.int().min(1).max(250).optional(),
  capacity: z.int().min(1, 'capacity is the number of deals reviewed at once: at least 1'),
  active: z.boolean().default(true),
};

const ticketRangeOrdered = {
  check: (p: { minAmountCny: number; maxAmountCny: number }) => p.minAmountCny <= p.maxAmountCny,
  params: { message: 'maxAmountCny must be at least minAmountCny', path: ['maxAmountCny'] },
};

/** Body of `PUT /v1/institutions/:id/products/:productId`; both ids come from the path. */
export const ProductInput = z.strictObject(productShape).refine(ticketRangeOrdered.check, ticketRangeOrdered.params);
export type ProductInput = z.infer<typeof ProductInput>;

export const Product = z
  .object({ productId: ProductId, institutionId: InstitutionId, ...productShape })
  .refine(ticketRangeOrdered.check, ticketRangeOrdered.params);
export type Product = z.infer<typeof Product>;
