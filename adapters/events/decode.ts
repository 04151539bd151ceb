import { parseEvent, toValidationIssues, type DealflowEvent } from '../../schemas';

// The consumers' side of the publisher: a Kafka message value back into a checked event. The ops
// projector and the API's live feed both read the topic through it.

/** JSON and DealflowEvent, or why not. */
export function decode(value: Buffer | string | null): { ok: true; event: DealflowEvent } | { ok: false; problem: string } {
  if (value === null) return { ok: false, problem: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, problem: 'value is not JSON' };
  }
  const checked = parseEvent(json);
  if (!checked.success) {
    const issues = toValidationIssues(checked.error).slice(0, 5).map((i) => `${i.path || '(root)'}: ${i.message}`);
    return { ok: false, problem: issues.join('; ') };
  }
  return { ok: true, event: checked.data };
}
