import type { ChannelKind } from '@aegis/shared';
import {
  ApiOutlined,
  BellOutlined,
  DingtalkOutlined,
  MailOutlined,
  MobileOutlined,
  SendOutlined,
  WechatWorkOutlined,
} from '@ant-design/icons';
import { Space } from 'antd';
import { useTranslation } from 'react-i18next';

const ICONS: Record<ChannelKind, React.ReactNode> = {
  inapp: <BellOutlined />,
  email: <MailOutlined />,
  wecom: <WechatWorkOutlined style={{ color: '#2b7bd6' }} />,
  dingtalk: <DingtalkOutlined style={{ color: '#1677ff' }} />,
  feishu: <SendOutlined style={{ color: '#00b8a9' }} />,
  webhook: <ApiOutlined />,
  sms: <MobileOutlined />,
};

export function KindIcon({ kind }: { kind: ChannelKind }) {
  const { t } = useTranslation();
  return (
    <span role="img" aria-label={t(`notify.kind.${kind}`)} title={t(`notify.kind.${kind}`)}>
      {ICONS[kind]}
    </span>
  );
}

/** Icon and name of a channel, as lists and the preview show it. */
export function ChannelName({ kind, name }: { kind: ChannelKind; name: string }) {
  return (
    <Space size={4}>
      <KindIcon kind={kind} />
      <span>{name}</span>
    </Space>
  );
}
