export {
  type AllowList,
  createOutboundPolicy,
  type Lookup,
  type OutboundCheck,
  type OutboundKind,
  type OutboundRule,
  type OutboundVerdict,
  parseAllowList,
  refusedAtConnect,
} from './outbound.js';
