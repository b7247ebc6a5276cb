import {
  SCREEN_GRID_COLS,
  SCREEN_GRID_ROWS,
  type ScreenLayout,
  type ScreenWidget,
  WIDGET_KINDS,
  WIDGET_LABELS,
  type WidgetKind,
} from '@aegis/shared';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Tabs,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import GridLayout, { getCompactor, type Layout, useContainerWidth } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorText } from '../../app/errorText';
import { currentLanguage } from '../../app/i18n';
import { ReasonModal } from '../../app/ReasonField';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { tagsQuery } from '../tags/api';
import { screenQuery, useSaveScreen } from './api';

// Tiles may not overlap and stay where they are put: no compaction, collisions refused.
const compactor = getCompactor(null, false, true);
const label = (k: WidgetKind) => WIDGET_LABELS[k][currentLanguage() === 'en-US' ? 'en' : 'zh'];
const DEFAULT_SIZE: Partial<Record<WidgetKind, [number, number]>> = { clock: [24, 1], alarm_list: [12, 6] };

/** The first free place for a w×h tile on the page, or null when the page is full. */
function freeSpot(widgets: ScreenWidget[], w: number, h: number): [number, number] | null {
  for (let y = 0; y + h <= SCREEN_GRID_ROWS; y++)
    for (let x = 0; x + w <= SCREEN_GRID_COLS; x++)
      if (!widgets.some((o) => x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h)) return [x, y];
  return null;
}

/** 大屏编辑: drag and resize tiles on the 24×13 grid, pick widgets, tags and pages; saved with a reason. */
export function ScreenEditorPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const screen = useQuery(screenQuery(id));
  const save = useSaveScreen();
  const [name, setName] = useState('');
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [layout, setLayout] = useState<ScreenLayout | null>(null);
  const [pageIndex, setPageIndex] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { width, containerRef, mounted } = useContainerWidth();

  useEffect(() => {
    if (!screen.data || layout) return;
    setName(screen.data.name);
    setNodeId(screen.data.nodeId);
    setLayout(screen.data.layout);
  }, [screen.data, layout]);

  const tags = useQuery({
    ...tagsQuery({ nodeId: nodeId ?? undefined, limit: 1000 }),
    enabled: nodeId !== null,
  });
  const tagOptions = useMemo(
    () =>
      (tags.data?.items ?? []).map((g) => ({
        value: g.id,
        label: `${g.equipmentNameZh} ${g.nameZh} (${g.equipmentCode}.${g.code})`,
      })),
    [tags.data],
  );

  if (!screen.data || !layout)
    return <Card loading={!screen.error}>{screen.error ? errorText(t, screen.error) : null}</Card>;
  const page = layout.pages[pageIndex] ?? layout.pages[0]!;
  const widget = page.widgets.find((w) => w.id === selected) ?? null;

  const setPage = (fn: (p: typeof page) => typeof page) =>
    setLayout({ ...layout, pages: layout.pages.map((p, i) => (i === pageIndex ? fn(p) : p)) });
  const setWidget = (wid: string, fn: (w: ScreenWidget) => ScreenWidget) =>
    setPage((p) => ({ ...p, widgets: p.widgets.map((w) => (w.id === wid ? fn(w) : w)) }));

  const addWidget = (kind: WidgetKind) => {
    const [w, h] = DEFAULT_SIZE[kind] ?? [6, 3];
    const spot = freeSpot(page.widgets, w, h) ?? freeSpot(page.widgets, 3, 2);
    if (!spot) {
      void message.warning(t('screen.editor.full'));
      return;
    }
    const wid = `${kind}-${Date.now().toString(36)}`;
    const fits = freeSpot(page.widgets, w, h) !== null;
    setPage((p) => ({
      ...p,
      widgets: [
        ...p.widgets,
        { id: wid, kind, x: spot[0], y: spot[1], w: fits ? w : 3, h: fits ? h : 2, settings: {} },
      ],
    }));
    setSelected(wid);
  };

  const onLayoutChange = (next: Layout) =>
    setPage((p) => ({
      ...p,
      widgets: p.widgets.map((w) => {
        const l = next.find((n) => n.i === w.id);
        return l ? { ...w, x: l.x, y: l.y, w: l.w, h: l.h } : w;
      }),
    }));

  const margin = 6;
  const rowHeight = Math.max(
    12,
    Math.floor((((width || 960) * 9) / 16 - margin * (SCREEN_GRID_ROWS + 1)) / SCREEN_GRID_ROWS),
  );

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('screen.editor.title', { name: screen.data.name })}
        </Typography.Title>
        <Space wrap>
          <Link to="/screens">{t('screen.back')}</Link>
          <Link to={`/screens/${id}/show`} target="_blank">
            {t('screen.editor.preview')}
          </Link>
          <Button type="primary" onClick={() => setSaving(true)} data-testid="screen-save">
            {t('screen.editor.save')}
          </Button>
        </Space>
      </Space>
      {error && (
        <Alert
          type="error"
          showIcon
          message={error}
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 12 }}
        />
      )}
      <Row gutter={16}>
        <Col xs={24} xl={17}>
          <Tabs
            activeKey={String(pageIndex)}
            onChange={(k) => {
              setPageIndex(Number(k));
              setSelected(null);
            }}
            type="editable-card"
            onEdit={(key, action) => {
              if (action === 'add') {
                setLayout({
                  ...layout,
                  pages: [...layout.pages, { title: '', dwellSeconds: 30, widgets: [] }],
                });
                setPageIndex(layout.pages.length);
              } else if (layout.pages.length > 1) {
                const i = Number(key);
                setLayout({ ...layout, pages: layout.pages.filter((_, j) => j !== i) });
                setPageIndex(0);
              }
            }}
            items={layout.pages.map((p, i) => ({
              key: String(i),
              label: p.title || t('screen.editor.page', { n: i + 1 }),
            }))}
          />
          <Space wrap style={{ marginBottom: 8 }}>
            <Input
              addonBefore={t('screen.editor.pageTitle')}
              value={page.title}
              maxLength={60}
              onChange={(e) => setPage((p) => ({ ...p, title: e.target.value }))}
            />
            <InputNumber
              addonBefore={t('screen.editor.dwell')}
              addonAfter={t('screen.editor.seconds')}
              min={5}
              max={3600}
              value={page.dwellSeconds}
              onChange={(v) => setPage((p) => ({ ...p, dwellSeconds: v ?? 30 }))}
            />
            <Select<WidgetKind>
              placeholder={
                <span>
                  <PlusOutlined /> {t('screen.editor.add')}
                </span>
              }
              style={{ width: 220 }}
              value={null as unknown as WidgetKind}
              options={WIDGET_KINDS.map((k) => ({ value: k, label: label(k) }))}
              onChange={addWidget}
              data-testid="screen-add-widget"
            />
          </Space>
          <div
            ref={containerRef}
            style={{ background: '#0b1e3a', borderRadius: 6, aspectRatio: '16 / 9', overflow: 'hidden' }}
          >
            {mounted && (
              <GridLayout
                width={width}
                layout={page.widgets.map((w) => ({ i: w.id, x: w.x, y: w.y, w: w.w, h: w.h }))}
                gridConfig={{
                  cols: SCREEN_GRID_COLS,
                  rowHeight,
                  margin: [margin, margin],
                  maxRows: SCREEN_GRID_ROWS,
                }}
                dragConfig={{ bounded: true }}
                compactor={compactor}
                onLayoutChange={onLayoutChange}
                onDragStart={(_l, _o, n) => n && setSelected(n.i)}
                onResizeStart={(_l, _o, n) => n && setSelected(n.i)}
              >
                {page.widgets.map((w) => (
                  <div
                    key={w.id}
                    style={{
                      background: w.id === selected ? '#1d4b8f' : '#12325e',
                      border: `1px solid ${w.id === selected ? '#69b1ff' : '#2f5fa0'}`,
                      borderRadius: 4,
                      color: '#d6e4ff',
                      padding: 4,
                      overflow: 'hidden',
                      cursor: 'move',
                      fontSize: 12,
                    }}
                  >
                    <button
                      type="button"
                      className="widget-pick"
                      onClick={() => setSelected(w.id)}
                      style={{ all: 'unset', cursor: 'pointer', fontWeight: 700 }}
                    >
                      {w.title || label(w.kind)}
                    </button>
                    <div style={{ opacity: 0.7 }}>
                      {w.w}×{w.h}
                    </div>
                  </div>
                ))}
              </GridLayout>
            )}
          </div>
        </Col>
        <Col xs={24} xl={7}>
          <Card size="small" title={t('screen.editor.screen')} style={{ marginBottom: 12 }}>
            <Form layout="vertical">
              <Form.Item label={t('screen.name')}>
                <Input value={name} onChange={(e) => setName(e.target.value)} />
              </Form.Item>
              <Form.Item label={t('screen.node')} help={t('screen.editor.nodeHelp')}>
                <PlantNodeSelect value={nodeId} onChange={(v) => setNodeId(v)} />
              </Form.Item>
              <Form.Item label={t('screen.editor.theme')}>
                <Select
                  value={layout.theme}
                  onChange={(theme) => setLayout({ ...layout, theme })}
                  options={[
                    { value: 'dark', label: t('screen.editor.themeDark') },
                    { value: 'navy', label: t('screen.editor.themeNavy') },
                  ]}
                />
              </Form.Item>
            </Form>
          </Card>
          <Card
            size="small"
            title={widget ? widget.title || label(widget.kind) : t('screen.editor.widget')}
            extra={
              widget && (
                <Button
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  onClick={() => {
                    setPage((p) => ({ ...p, widgets: p.widgets.filter((w) => w.id !== widget.id) }));
                    setSelected(null);
                  }}
                >
                  {t('screen.editor.remove')}
                </Button>
              )
            }
          >
            {!widget ? (
              <Empty description={t('screen.editor.pick')} />
            ) : (
              <Form layout="vertical">
                <Form.Item label={t('screen.editor.kind')}>{label(widget.kind)}</Form.Item>
                <Form.Item label={t('screen.editor.widgetTitle')}>
                  <Input
                    value={widget.title ?? ''}
                    maxLength={60}
                    placeholder={label(widget.kind)}
                    onChange={(e) =>
                      setWidget(widget.id, (w) => ({ ...w, title: e.target.value || undefined }))
                    }
                  />
                </Form.Item>
                {widget.kind === 'alarm_list' && (
                  <Form.Item label={t('screen.editor.limit')}>
                    <InputNumber
                      min={1}
                      max={50}
                      value={widget.settings.limit ?? 8}
                      onChange={(v) =>
                        setWidget(widget.id, (w) => ({ ...w, settings: { ...w.settings, limit: v ?? 8 } }))
                      }
                    />
                  </Form.Item>
                )}
                {widget.kind === 'status_tiles' && (
                  <Form.Item label={t('screen.editor.level')}>
                    <Select
                      allowClear
                      value={widget.settings.level}
                      onChange={(level) =>
                        setWidget(widget.id, (w) => ({ ...w, settings: { ...w.settings, level } }))
                      }
                      options={(['area', 'line', 'equipment'] as const).map((l) => ({
                        value: l,
                        label: t(`screen.editor.levels.${l}`),
                      }))}
                    />
                  </Form.Item>
                )}
                {widget.kind === 'tag_values' && (
                  <>
                    <Form.Item label={t('screen.editor.tags')} help={t('screen.editor.tagsHelp')}>
                      <Select
                        mode="multiple"
                        showSearch
                        optionFilterProp="label"
                        loading={tags.isLoading}
                        value={widget.settings.tagIds ?? []}
                        options={tagOptions}
                        maxCount={12}
                        onChange={(tagIds) =>
                          setWidget(widget.id, (w) => ({ ...w, settings: { ...w.settings, tagIds } }))
                        }
                      />
                    </Form.Item>
                    <Form.Item label={t('screen.editor.sparkline')}>
                      <Switch
                        checked={widget.settings.sparkline ?? true}
                        onChange={(sparkline) =>
                          setWidget(widget.id, (w) => ({ ...w, settings: { ...w.settings, sparkline } }))
                        }
                      />
                    </Form.Item>
                  </>
                )}
              </Form>
            )}
          </Card>
        </Col>
      </Row>
      <ReasonModal
        open={saving}
        title={t('screen.editor.save')}
        onClose={() => setSaving(false)}
        onConfirm={async (reason) => {
          try {
            const saved = await save.mutateAsync({
              id,
              name,
              nodeId: nodeId ?? screen.data!.nodeId,
              layout,
              version: screen.data!.version,
              reason,
            });
            setError(null);
            void message.success(t('screen.editor.saved', { version: saved.version }));
          } catch (e) {
            setError(errorText(t, e));
            throw e;
          }
        }}
      />
    </div>
  );
}
