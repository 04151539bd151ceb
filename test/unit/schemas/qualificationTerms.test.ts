import { QUALIFICATION_TYPES, Qualification, Recognition, RecognitionList } from '../../../schemas';
import { QUALIFICATION_TERM_YEARS, qualificationTermProblem } from '../../../schemas/qualificationTerms';
import { qualification } from '../fixtures';

describe('published validity terms', () => {
  it('gives every type a term of three years', () => {
    for (const type of QUALIFICATION_TYPES) expect(QUALIFICATION_TERM_YEARS[type]).toBe(3);
  });

  it('allows up to the same day three years on, and not a day more', () => {
    expect(qualificationTermProblem('little_giant', '2025-07-01', '2028-06-30')).toBeNull();
    expect(qualificationTermProblem('little_giant', '2025-07-01', '2028-07-01')).toBeNull();
    expect(qualificationTermProblem('little_giant', '2025-07-01', '2028-07-02')).toMatch(/at most 3 years.*2028-07-01 or earlier/);
    expect(qualificationTermProblem('high_tech', '2024-02-29', '2027-03-01')).toMatch(/2027-02-28 or earlier/);
  });

  it('makes a longer validity bad input on a profile and in the registry', () => {
    const fourYears = { type: 'single_champion_municipal' as const, validFrom: '2023-01-01', validTo: '2026-12-31' };
    const onProfile = Qualification.safeParse(qualification({ ...fourYears, certificateNo: 'SHDXGJ-2023-001' }));
    expect(onProfile.error?.issues).toEqual([expect.objectContaining({ path: ['validTo'], message: expect.stringMatching(/at most 3 years/) })]);
    const inRegistry = RecognitionList.safeParse([{ ...fourYears, certificateNo: 'SHDXGJ-2023-001' }]);
    expect(inRegistry.error?.issues[0]?.path).toEqual([0, 'validTo']);
    expect(Recognition.safeParse({ ...fourYears, validTo: '2025-12-31', certificateNo: 'X' }).success).toBe(true);
  });

  it('still reports dates out of order as such', () => {
    const reversed = Recognition.safeParse({ type: 'high_tech', certificateNo: 'GR1', validFrom: '2025-01-02', validTo: '2025-01-01' });
    expect(reversed.error?.issues[0]?.message).toBe('validTo must not be before validFrom');
  });
});
