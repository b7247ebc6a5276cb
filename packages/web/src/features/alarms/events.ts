import type { AlarmEventType } from '@aegis/shared';

/** Journal event colours: red for what raised attention, green for what calmed it. */
export const EVENT_COLOR: Record<AlarmEventType, string> = {
  activated: 'red',
  cleared: 'green',
  acknowledged: 'blue',
  shelved: 'purple',
  unshelved: 'purple',
  suppressed: 'gray',
  unsuppressed: 'gray',
  removed_from_service: 'gray',
  returned_to_service: 'green',
  commented: 'cyan',
  chattering_start: 'magenta',
  chattering_end: 'magenta',
};
