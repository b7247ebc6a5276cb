import { RISK_LEVEL_COLOURS, RISK_LEVELS, type RiskLevel, type RiskMapNode } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Row, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useLocalName } from '../../app/i18n';
import { riskMapQuery } from './api';
import { LevelTag, levelText } from './LevelTag';
import { mapSections } from './mapLayout';

const NONE = '#f0f0f0';

function Counts({ counts }: { counts: RiskMapNode['counts'] }) {
  return (
    <Space size={6} wrap>
      {RISK_LEVELS.filter((l) => counts[l] > 0).map((l) => (
        <span key={l}>
          <LevelTag level={l} short /> {counts[l]}
        </span>
      ))}
    </Space>
  );
}

/** One node as a tile in the colour of the worst level at it or below it; a click opens its register. */
function Tile({ node, depth }: { node: RiskMapNode; depth: number }) {
  const { t } = useTranslation();
  const name = useLocalName();
  const navigate = useNavigate();
  const level = node.subtreeWorst;
  const bg = level ? RISK_LEVEL_COLOURS[level] : NONE;
  const fg = level ? levelText(level) : '#595959';
  const total = RISK_LEVELS.reduce((n, l) => n + node.subtreeCounts[l], 0);
  return (
    <button
      type="button"
      onClick={() => navigate(`/risk/register?nodeId=${node.id}`)}
      data-testid={`risk-tile-${node.code}`}
      data-level={level ?? 'none'}
      title={t('risk.map.open')}
      style={{
        display: 'block',
        width: '100%',
        textAlign: 'left',
        cursor: 'pointer',
        border: 'none',
        borderRadius: 6,
        padding: '8px 10px',
        marginLeft: 0,
        background: bg,
        color: fg,
        minHeight: 56,
        boxShadow: depth > 0 ? 'inset 4px 0 0 rgba(0,0,0,0.15)' : undefined,
      }}
    >
      <div style={{ fontWeight: 600 }}>
        {name(node)} <span style={{ opacity: 0.75, fontWeight: 400 }}>{node.code}</span>
      </div>
      <div style={{ fontSize: 12 }}>
        {level ? t(`risk.level.${level}`) : t('risk.map.noUnits')}
        {total > 0 && ` · ${total}`}
      </div>
    </button>
  );
}

/** 风险四色图: the plant tree in red/orange/yellow/blue, one card per area with its lines and equipment. */
export function RiskMapTab() {
  const { t } = useTranslation();
  const name = useLocalName();
  const map = useQuery(riskMapQuery);
  if (map.isLoading) return <Spin />;
  const nodes = map.data?.nodes ?? [];
  const sections = mapSections(nodes);
  const any = nodes.some((n) => n.subtreeWorst !== null);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12} data-testid="risk-map">
      <Space wrap>
        <Typography.Text type="secondary">{t('risk.map.legend')}</Typography.Text>
        {RISK_LEVELS.map((l: RiskLevel) => (
          <LevelTag key={l} level={l} />
        ))}
      </Space>
      {!any && <Empty description={t('risk.map.empty')} />}
      <Row gutter={[12, 12]}>
        {sections.map(({ head, rows }) => (
          <Col key={head.id} xs={24} md={12} xl={8}>
            <Card
              size="small"
              title={
                <Space wrap>
                  {name(head)}
                  {head.subtreeWorst && <LevelTag level={head.subtreeWorst} />}
                </Space>
              }
              extra={<Counts counts={head.subtreeCounts} />}
              styles={{
                header: {
                  borderTop: `4px solid ${head.subtreeWorst ? RISK_LEVEL_COLOURS[head.subtreeWorst] : NONE}`,
                },
              }}
            >
              <Space orientation="vertical" style={{ width: '100%' }} size={6}>
                {rows.map(({ node, depth }) => (
                  <div key={node.id} style={{ paddingLeft: depth * 14 }}>
                    <Tile node={node} depth={depth} />
                    {RISK_LEVELS.some((l) => node.counts[l] > 0) && depth > 0 && (
                      <div style={{ fontSize: 12, marginTop: 2 }}>
                        <Typography.Text type="secondary">{t('risk.map.own')} </Typography.Text>
                        <Counts counts={node.counts} />
                      </div>
                    )}
                  </div>
                ))}
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
    </Space>
  );
}
