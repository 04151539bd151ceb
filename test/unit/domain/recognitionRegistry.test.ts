import { mergeRecognition } from '../../../domain/recognitionRegistry';
import type { Recognition } from '../../../schemas';

const champion: Recognition = { type: 'single_champion_municipal', certificateNo: 'SHDXGJ-2025-001', validFrom: '2025-01-01', validTo: '2027-12-31' };
const highTech: Recognition = { type: 'high_tech', certificateNo: 'GR202331000123', validFrom: '2023-11-15', validTo: '2026-11-14' };

describe('mergeRecognition', () => {
  it('adds a certificate not on record, keeping the others', () => {
    expect(mergeRecognition([highTech], champion)).toEqual({ recognitions: [highTech, champion], outcome: 'accepted' });
  });

  it('leaves a certificate on record with the same dates unchanged', () => {
    expect(mergeRecognition([highTech, champion], { ...champion })).toEqual({ recognitions: [highTech, champion], outcome: 'unchanged' });
  });

  it('replaces the dates of a certificate on record in place', () => {
    const renewed = { ...champion, validTo: '2027-06-30' };
    expect(mergeRecognition([champion, highTech], renewed)).toEqual({ recognitions: [renewed, highTech], outcome: 'accepted' });
  });

  it('keys by type and certificate number together', () => {
    const sameNumberOtherType = { ...champion, type: 'single_champion_national' as const };
    expect(mergeRecognition([champion], sameNumberOtherType).recognitions).toHaveLength(2);
  });
});
