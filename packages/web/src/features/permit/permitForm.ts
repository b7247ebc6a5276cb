import {
  PERMIT_MEASURE_DEFAULTS,
  type PermitDetail,
  type PermitDraft,
  type PermitFields,
  type PermitGasTagInput,
  type PermitGrade,
  type PermitMeasureInput,
  type PermitType,
} from '@aegis/shared';
import dayjs, { type Dayjs } from 'dayjs';

// 作业票申请表: the form's values and the application the server takes (POST/PUT /api/permits, /preview).

export interface WorkerValues {
  name?: string;
  userId?: number | null;
  certificateNo?: string;
}

export interface PermitFormValues {
  title?: string;
  grade?: PermitGrade;
  locationId?: number | null;
  equipmentIds?: number[];
  window?: [Dayjs, Dayjs] | null;
  applicantUnit?: string;
  windLevel?: number | null;
  personInChargeId?: number | null;
  watcherId?: number | null;
  brieferId?: number | null;
  acceptorId?: number | null;
  analystId?: number | null;
  workers?: WorkerValues[];
  risks?: (string | undefined)[];
  measures?: PermitMeasureInput[];
  gasTags?: PermitGasTagInput[];
  linkedPermitIds?: number[];
  /** the per-type fields, without `type` */
  fields?: Record<string, unknown>;
}

/** 特种作业操作证 is required of the workers of these types (GB 30871: hot work, lifting, electrical, height). */
export const CERTIFICATE_TYPES: readonly PermitType[] = ['hot_work', 'lifting', 'temporary_power', 'height'];

/** The standard's checklist of a type, every item still to be answered (涉及 / 不涉及). */
export function defaultMeasures(type: PermitType, lang: 'zh-CN' | 'en-US' = 'zh-CN'): PermitMeasureInput[] {
  return PERMIT_MEASURE_DEFAULTS[type].map((m) => ({
    code: m.code,
    text: lang === 'zh-CN' ? m.zh : m.en,
    applies: null,
  }));
}

/** A new application's starting values: the next whole hour for four hours, one worker line. */
export function initialValues(type: PermitType, now = dayjs()): PermitFormValues {
  const from = now.add(1, 'hour').startOf('hour');
  return {
    grade: type === 'hot_work' ? 'second' : undefined,
    equipmentIds: [],
    window: [from, from.add(4, 'hour')],
    windLevel: 0,
    workers: [{ name: '', userId: null, certificateNo: '' }],
    risks: [''],
    measures: defaultMeasures(type),
    gasTags: [],
    linkedPermitIds: [],
    fields:
      type === 'blind_plate'
        ? { action: 'install' }
        : type === 'confined_space'
          ? { oxygenEnriched: false }
          : {},
  };
}

const text = (s: string | undefined | null) => (s ?? '').trim();
const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The per-type fields as the contract has them; empty numbers become null, texts are trimmed. */
export function toFields(type: PermitType, f: Record<string, unknown> = {}): PermitFields {
  const s = (k: string) => text(f[k] as string | undefined);
  switch (type) {
    case 'hot_work':
      return { type, method: s('method'), fireWatchEquipment: s('fireWatchEquipment') };
    case 'confined_space':
      return {
        type,
        spaceName: s('spaceName'),
        medium: s('medium'),
        oxygenEnriched: f.oxygenEnriched === true,
        ventilation: s('ventilation'),
      };
    case 'blind_plate':
      return {
        type,
        pipeline: s('pipeline'),
        medium: s('medium'),
        temperatureC: num(f.temperatureC),
        pressureMPa: num(f.pressureMPa),
        plateMaterial: s('plateMaterial'),
        plateSpec: s('plateSpec'),
        plateNumber: s('plateNumber'),
        action: f.action === 'remove' ? 'remove' : 'install',
        drawingRef: s('drawingRef'),
      };
    case 'height':
      return { type, heightM: num(f.heightM) ?? 0, fallProtection: s('fallProtection') };
    case 'lifting':
      return {
        type,
        loadT: num(f.loadT) ?? 0,
        craneType: s('craneType'),
        liftingPlanRef: s('liftingPlanRef'),
      };
    case 'temporary_power':
      return {
        type,
        voltage: s('voltage'),
        powerSource: s('powerSource'),
        loadKw: num(f.loadKw),
        servesPermitId: num(f.servesPermitId),
      };
    case 'excavation':
      return {
        type,
        areaM2: num(f.areaM2),
        depthM: num(f.depthM),
        undergroundFacilities: s('undergroundFacilities'),
      };
    case 'road_closure':
      return { type, road: s('road'), reason: s('reason'), detour: s('detour') };
  }
}

/** The application from the form; what is missing is left for the server's schema to name. */
export function toDraft(type: PermitType, v: PermitFormValues): PermitDraft {
  const fields = toFields(type, v.fields);
  const linked = new Set(v.linkedPermitIds ?? []);
  if (fields.type === 'temporary_power' && fields.servesPermitId) linked.add(fields.servesPermitId);
  return {
    type,
    // hot work's grade is chosen; height and lifting are graded by the server from heightM / loadT
    ...(type === 'hot_work' && v.grade ? { grade: v.grade } : {}),
    title: text(v.title),
    locationId: v.locationId ?? 0,
    equipmentIds: v.equipmentIds ?? [],
    validFrom: v.window?.[0]?.toDate().toISOString() ?? '',
    validTo: v.window?.[1]?.toDate().toISOString() ?? '',
    applicantUnit: text(v.applicantUnit),
    personInChargeId: v.personInChargeId ?? 0,
    workers: (v.workers ?? [])
      .filter((w) => text(w.name) || w.userId)
      .map((w) => ({ name: text(w.name), userId: w.userId ?? null, certificateNo: text(w.certificateNo) })),
    analystId: v.analystId ?? null,
    watcherId: v.watcherId ?? 0,
    brieferId: v.brieferId ?? 0,
    acceptorId: v.acceptorId ?? 0,
    riskIdentification: (v.risks ?? []).map((r) => text(r)).filter(Boolean),
    measures: (v.measures ?? []).map((m) => ({ code: m.code, text: text(m.text), applies: m.applies })),
    linkedPermitIds: [...linked],
    windLevel: v.windLevel ?? 0,
    gasTags: v.gasTags ?? [],
    fields,
  };
}

/** Is the application filled in far enough to ask the server for a preview? */
export function previewable(d: PermitDraft): boolean {
  return (
    d.locationId > 0 &&
    !!d.validFrom &&
    !!d.validTo &&
    d.personInChargeId > 0 &&
    d.watcherId > 0 &&
    d.brieferId > 0 &&
    d.acceptorId > 0 &&
    !!d.title &&
    !!d.applicantUnit &&
    d.workers !== undefined &&
    d.workers.length > 0
  );
}

/** A draft back into the form (editing a draft, or a revision's new draft). */
export function fromDetail(p: PermitDetail): PermitFormValues {
  const { type: _type, ...fields } = p.fields;
  return {
    title: p.title,
    grade: p.requestedGrade,
    locationId: p.nodeId,
    equipmentIds: p.equipment.map((e) => e.id),
    window: [dayjs(p.validFrom), dayjs(p.validTo)],
    applicantUnit: p.applicantUnit,
    windLevel: p.windLevel,
    personInChargeId: p.personInCharge.id,
    watcherId: p.watcher.id,
    brieferId: p.briefer.id,
    acceptorId: p.acceptor.id,
    analystId: p.analyst?.id ?? null,
    workers: p.workers.map((w) => ({ name: w.name, userId: w.userId, certificateNo: w.certificateNo })),
    risks: p.riskIdentification.length ? [...p.riskIdentification] : [''],
    measures: p.measures.map((m) => ({ code: m.code, text: m.text, applies: m.applies })),
    gasTags: p.gasTags.map((g) => ({ tagId: g.tagId, gas: g.gas })),
    linkedPermitIds: p.links.linked.map((l) => l.id),
    fields,
  };
}
