import { ServiceError } from '@temporalio/client';
import { unavailableDependency } from '../../../adapters/dependencies';

// Which failures the API answers 503 with Retry-After rather than 500.

/** A gRPC status error as @grpc/grpc-js builds it. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

test('an update refused because the workflow task is failing counts as Temporal not answering (503, never 500)', () => {
  const refused = new ServiceError('Workflow Update failed', {
    cause: grpcError(9, 'Unable to perform workflow execution update due to Workflow Task in failed state.'),
  });
  expect(unavailableDependency(refused)).toBe('temporal');
});

test('another failed precondition is not taken for an outage', () => {
  expect(unavailableDependency(grpcError(9, 'Namespace is not active'))).toBeNull();
});
