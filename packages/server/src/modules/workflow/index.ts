/** The one workflow core: typed state machines (pure), transitions + audit + SLA timers (service). */
export {
  availableActions,
  decide,
  type GuardInput,
  lastActorOf,
  type MachineDef,
  notSameAs,
  type Refusal,
  type TimerSpec,
  type TransitionDef,
  type TransitionRecord,
} from './machine.js';
export {
  type ApplyOptions,
  createWorkflowService,
  type DueTimer,
  type TimerHandler,
  type WorkflowRecordRef,
  type WorkflowService,
} from './service.js';
