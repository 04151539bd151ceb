// The worker's workflowsPath points here: every workflow the worker serves.
export { applicationWorkflow } from './application';
export { forumWorkflow } from './forum';
export { fileRetentionWorkflow } from './fileRetention';
