import { TimePicker } from 'antd';
import dayjs from 'dayjs';

/** A 'HH:MM' string edited with antd's time picker (which works with dayjs values). */
export function TimeField(props: {
  value?: string;
  onChange?: (v: string) => void;
  id?: string;
  disabled?: boolean;
  'aria-label'?: string;
}) {
  const value =
    props.value && /^\d{2}:\d{2}$/.test(props.value) ? dayjs(`2000-01-01T${props.value}:00`) : null;
  return (
    <TimePicker
      id={props.id}
      format="HH:mm"
      minuteStep={5}
      needConfirm={false}
      allowClear={false}
      disabled={props.disabled}
      aria-label={props['aria-label']}
      inputReadOnly
      value={value}
      onChange={(d) => props.onChange?.(d ? d.format('HH:mm') : '00:00')}
      style={{ width: 110 }}
    />
  );
}
