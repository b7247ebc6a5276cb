import { DataType, DataValue, StatusCodes, Variant, VariantArrayType } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { qualityOf, sameValue, timestampOf, toPoint, toTagValue, toWriteValue } from './convert.js';

const v = (dataType: DataType, value: unknown) =>
  new Variant({ dataType, arrayType: VariantArrayType.Scalar, value });

describe('qualityOf', () => {
  it('maps the status severity to good, uncertain and bad', () => {
    expect(qualityOf(StatusCodes.Good.value)).toBe('good');
    expect(qualityOf(StatusCodes.UncertainLastUsableValue.value)).toBe('uncertain');
    expect(qualityOf(StatusCodes.BadSensorFailure.value)).toBe('bad');
    expect(qualityOf(StatusCodes.BadNodeIdUnknown.value)).toBe('bad');
  });
});

describe('timestampOf', () => {
  it('prefers the source timestamp, then the server timestamp, then arrival', () => {
    const src = new Date('2026-01-05T08:00:00Z');
    const srv = new Date('2026-01-05T08:00:01Z');
    expect(timestampOf({ sourceTimestamp: src, serverTimestamp: srv }, 5)).toBe(src.getTime());
    expect(timestampOf({ sourceTimestamp: null, serverTimestamp: srv }, 5)).toBe(srv.getTime());
    expect(timestampOf({ sourceTimestamp: null, serverTimestamp: null }, 5)).toBe(5);
    // OPC UA's minimum date (1601) means "no timestamp"
    expect(timestampOf({ sourceTimestamp: new Date(Date.UTC(1601, 0, 1)) }, 5)).toBe(5);
  });
});

describe('toTagValue', () => {
  it('gives number tags numbers, from any numeric type, booleans and numeric text', () => {
    expect(toTagValue('number', v(DataType.Double, 3.5))).toEqual({ ok: true, value: 3.5 });
    expect(toTagValue('number', v(DataType.Int16, -7))).toEqual({ ok: true, value: -7 });
    expect(toTagValue('number', v(DataType.Boolean, true))).toEqual({ ok: true, value: 1 });
    expect(toTagValue('number', v(DataType.String, '12.5'))).toEqual({ ok: true, value: 12.5 });
    expect(toTagValue('number', v(DataType.Int64, [0xffffffff, 0xfffffffe]))).toEqual({
      ok: true,
      value: -2,
    });
    expect(toTagValue('number', v(DataType.UInt64, [1, 0]))).toEqual({ ok: true, value: 2 ** 32 });
    expect(toTagValue('number', v(DataType.String, 'RUN')).ok).toBe(false);
  });

  it('gives boolean tags booleans, from numbers and true/false text too', () => {
    expect(toTagValue('boolean', v(DataType.Boolean, false))).toEqual({ ok: true, value: false });
    expect(toTagValue('boolean', v(DataType.Byte, 2))).toEqual({ ok: true, value: true });
    expect(toTagValue('boolean', v(DataType.String, 'TRUE'))).toEqual({ ok: true, value: true });
    expect(toTagValue('boolean', v(DataType.String, 'maybe')).ok).toBe(false);
  });

  it('keeps a state as its number or its text', () => {
    expect(toTagValue('state', v(DataType.Int32, 2))).toEqual({ ok: true, value: 2 });
    expect(toTagValue('state', v(DataType.String, 'FAULT'))).toEqual({ ok: true, value: 'FAULT' });
    expect(toTagValue('state', v(DataType.LocalizedText, { text: 'RUN' }))).toEqual({
      ok: true,
      value: 'RUN',
    });
  });

  it('gives string tags text, dates as ISO', () => {
    expect(toTagValue('string', v(DataType.Double, 1.5))).toEqual({ ok: true, value: '1.5' });
    const d = new Date('2026-01-05T08:00:00Z');
    expect(toTagValue('string', v(DataType.DateTime, d))).toEqual({ ok: true, value: d.toISOString() });
  });

  it('refuses arrays', () => {
    const arr = new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2] });
    expect(toTagValue('number', arr)).toMatchObject({ ok: false, reason: expect.stringContaining('arrays') });
  });
});

describe('toPoint', () => {
  const tag = { id: 9, type: 'number' as const };
  const ts = new Date('2026-01-05T08:00:00Z');

  it('turns a good DataValue into a good point at its source time', () => {
    const dv = new DataValue({
      value: v(DataType.Float, 1.5),
      statusCode: StatusCodes.Good,
      sourceTimestamp: ts,
    });
    expect(toPoint(tag, dv, 1)).toEqual({
      point: { tagId: 9, ts: ts.getTime(), value: 1.5, quality: 'good' },
    });
  });

  it('keeps the value of an uncertain reading and drops the value of a bad one', () => {
    const unc = new DataValue({
      value: v(DataType.Double, 2),
      statusCode: StatusCodes.UncertainLastUsableValue,
    });
    expect(toPoint(tag, unc, 1).point).toMatchObject({ value: 2, quality: 'uncertain', ts: 1 });
    const bad = new DataValue({ value: v(DataType.Double, 2), statusCode: StatusCodes.BadSensorFailure });
    expect(toPoint(tag, bad, 1).point).toMatchObject({ value: null, quality: 'bad' });
  });

  it('makes a value that does not fit the tag a bad point with the reason', () => {
    const dv = new DataValue({ value: v(DataType.String, 'RUN'), statusCode: StatusCodes.Good });
    const r = toPoint(tag, dv, 1);
    expect(r.point).toMatchObject({ value: null, quality: 'bad' });
    expect(r.error).toMatch(/not a number/);
  });
});

describe('toWriteValue', () => {
  it('checks the range of integer types', () => {
    expect(toWriteValue(DataType.Int16, 32767)).toEqual({ ok: true, value: 32767 });
    expect(toWriteValue(DataType.Int16, 40000)).toMatchObject({
      ok: false,
      detail: expect.stringContaining('Int16'),
    });
    expect(toWriteValue(DataType.Byte, -1).ok).toBe(false);
    expect(toWriteValue(DataType.UInt32, 1.5).ok).toBe(false);
    expect(toWriteValue(DataType.Int32, true)).toEqual({ ok: true, value: 1 });
  });

  it('writes 64-bit integers as high and low words', () => {
    expect(toWriteValue(DataType.Int64, -2)).toEqual({ ok: true, value: [0xffffffff, 0xfffffffe] });
    expect(toWriteValue(DataType.UInt64, 2 ** 32 + 5)).toEqual({ ok: true, value: [1, 5] });
  });

  it('accepts booleans, numbers, text as their node types want them', () => {
    expect(toWriteValue(DataType.Boolean, 1)).toEqual({ ok: true, value: true });
    expect(toWriteValue(DataType.Boolean, 'false')).toEqual({ ok: true, value: false });
    expect(toWriteValue(DataType.Boolean, 5).ok).toBe(false);
    expect(toWriteValue(DataType.Double, '2.5')).toEqual({ ok: true, value: 2.5 });
    expect(toWriteValue(DataType.Float, 1e39).ok).toBe(false);
    expect(toWriteValue(DataType.String, 42)).toEqual({ ok: true, value: '42' });
    expect(toWriteValue(DataType.ExtensionObject, 1).ok).toBe(false);
  });
});

describe('sameValue', () => {
  it('compares a Float read-back at float precision', () => {
    expect(sameValue(DataType.Float, 0.1, Math.fround(0.1))).toBe(true);
    expect(sameValue(DataType.Double, 0.1, Math.fround(0.1))).toBe(false);
    expect(sameValue(DataType.Int64, [0, 5], [0, 5])).toBe(true);
    expect(sameValue(DataType.Int32, 5, 6)).toBe(false);
  });
});
