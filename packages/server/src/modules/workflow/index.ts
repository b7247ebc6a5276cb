export { createWorkflowService, type WorkflowService } from './service.js';
