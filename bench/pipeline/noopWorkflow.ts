// The ceiling of the pipeline benchmark: a workflow that does nothing, served by a worker with the
// same tuning on the same Temporal server. Its start-to-complete rate bounds what any workflow can do.
export async function noopWorkflow(): Promise<void> {
  return undefined;
}
