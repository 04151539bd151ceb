import { forumWorkflow } from '../../../workflows/forum';
import { forumWorkflowType } from '../../../workflows/forumMessages';
import { applicationWorkflow } from '../../../workflows/application';
import { applicationWorkflowType } from '../../../workflows/messages';

// The API starts the workflow by its type name so that it never loads the workflow's body.
test('the type name the API starts is the workflow function the worker registers', () => {
  expect(applicationWorkflow.name).toBe(applicationWorkflowType);
});

test('the forum\'s type name is the forum workflow function', () => {
  expect(forumWorkflow.name).toBe(forumWorkflowType);
});
