// The pure alarm engine: (state, input, now) → (state, events). No I/O; callers persist the state.
export {
  type ChatterConfig,
  type ChatterState,
  createChatterState,
  createFloodState,
  DEFAULT_CHATTER_CONFIG,
  DEFAULT_FLOOD_CONFIG,
  type FloodConfig,
  type FloodState,
  type FloodStep,
  recordChatterActivation,
  recordFloodActivation,
  tickChatter,
  tickFlood,
} from './detectors.js';
export {
  createRuleRuntime,
  DEFAULT_ENGINE_CONFIG,
  detectFlood,
  type EngineConfig,
  type OperateResult,
  operateAlarm,
  processRuleInput,
  type RuleRuntime,
  type RuntimeStep,
  setRuleSuppression,
  syncRuleRuntime,
  tickRule,
} from './engine.js';
export {
  type AlarmDefinition,
  alarmDefinitions,
  alarmKey,
  createRuleState,
  type Evaluation,
  evaluateRule,
} from './rules.js';
export {
  acknowledge,
  applyCondition,
  type ConditionInput,
  comment,
  createAlarm,
  DEFAULT_MAX_SHELVE_MS,
  isSilenced,
  type OutOfServiceRequest,
  type ShelveRequest,
  setChattering,
  setOutOfService,
  setSuppression,
  shelve,
  tickAlarm,
  unshelve,
} from './state.js';
export { ewmaSigmaFactor, violatesWesternElectric } from './stats.js';
export type * from './types.js';
