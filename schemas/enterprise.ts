import { z } from 'zod';
import { Gb4754, IsoDate, NonNegativeCny, QualificationType, Region, Uscc } from './common';
import { checkValidity } from './validity';

const qualificationShape = {
  type: QualificationType,
  issuer: z.string().trim().min(1, 'issuer is required').max(200),
  certificateNo: z.string().trim().min(1, 'certificateNo is required').max(100),
  validFrom: IsoDate,
  validTo: IsoDate,
};

export const Qualification = z.strictObject(qualificationShape).superRefine(checkValidity);
export type Qualification = z.infer<typeof Qualification>;

const profileShape = {
  name: z.string().trim().min(1, 'name is required').max(200),
  region: Region,
  city: z.string().trim().min(1, 'city is required').max(100),
  industry: Gb4754,
  founded: IsoDate,
  employees: z.int().nonnegative(),
  revenueCny: NonNegativeCny,
  rdRatioBps: z.int().min(0).max(10_000, 'rdRatioBps is a share of revenue: at most 10000 (100%)'),
  qualifications: z.array(Qualification).max(50).default([]),
};

/** Body of `PUT /v1/enterprises/:uscc`; the uscc comes from the path. */
export const EnterpriseProfileInput = z.strictObject(profileShape);
export type EnterpriseProfileInput = z.infer<typeof EnterpriseProfileInput>;

/** The stored and served profile. Not strict: read models may carry bookkeeping fields, which are stripped. */
export const EnterpriseProfile = z.object({ uscc: Uscc, ...profileShape });
export type EnterpriseProfile = z.infer<typeof EnterpriseProfile>;
