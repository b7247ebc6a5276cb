import { canonicalJson } from '@aegis/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RequestContext, systemContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { ADMIN_PASSWORD, createTestUser, startTestApp, type TestApp } from '../../test/harness.js';
import { contentHash } from './index.js';

let app: TestApp;
const MAX_ATTEMPTS = 3;

async function ctxOf(userId: number): Promise<RequestContext> {
  const actor = await app.aegis.services.access.loadActor(userId);
  return { actor, requestId: null, ip: null };
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const png = async (width = 300, height = 100) =>
  `data:image/png;base64,${(
    await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer()
  ).toString('base64')}`;

/** Signs `content` for a test record as the given user, the way an owner module does. */
async function signAs(userId: number, recordId: number, content: unknown, image?: string) {
  const { signatures, db } = app.aegis.services;
  const ctx = await ctxOf(userId);
  const proof = await signatures.reauthenticate(ctx, { password: ADMIN_PASSWORD, image });
  return db.transaction((tx) =>
    signatures.sign(tx, ctx, proof, { recordKind: 'test_record', recordId, meaning: 'approve', content }),
  );
}

beforeAll(async () => {
  app = await startTestApp({ lockoutMaxAttempts: MAX_ATTEMPTS, lockoutMinutes: 15 });
  // a test owner: record ids below 1000 are readable by everyone, others by nobody
  app.aegis.services.signatures.registerOwner('test_record', {
    readable: async (_ctx, recordId) => recordId < 1000,
  });
});
afterAll(async () => {
  await app?.close();
});

describe('electronic signatures', () => {
  it('refuses a wrong password with reauthentication_failed, counts it like sign-in and locks the account', async () => {
    const { signatures, users } = app.aegis.services;
    const user = await createTestUser(app, { username: 'wrong.pw', displayName: '王错' });
    const ctx = await ctxOf(user.id);
    const first = await refusal(signatures.reauthenticate(ctx, { password: 'not-my-password' }));
    expect(first.code).toBe('reauthentication_failed');
    expect(first.status).toBe(403);
    expect(first.message).toMatch(/2 attempts left/);
    expect(first.details).toMatchObject({ attemptsLeft: 2, maxAttempts: MAX_ATTEMPTS });
    expect((await users.byId(user.id))!.failed_attempts).toBe(1);

    await refusal(signatures.reauthenticate(ctx, { password: 'not-my-password' }));
    const last = await refusal(signatures.reauthenticate(ctx, { password: 'not-my-password' }));
    expect(last.message).toMatch(/locked until/);
    expect(last.details).toMatchObject({ attemptsLeft: 0 });

    // the account is locked: neither signing nor signing in works with the right password
    const locked = await refusal(signatures.reauthenticate(ctx, { password: ADMIN_PASSWORD }));
    expect(locked.code).toBe('reauthentication_failed');
    await expect(app.as('wrong.pw')).rejects.toThrow(/login as wrong.pw failed: 401/);

    const rows = await app.aegis.services.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_type = 'user' AND target_id = $1 AND action IN ('signature.refused', 'auth.lockout') ORDER BY seq",
      [String(user.id)],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'signature.refused',
      'signature.refused',
      'auth.lockout',
      'signature.refused',
      'signature.refused',
    ]);

    // after the lockout time the right password signs again
    app.clock.advance(16 * 60_000);
    const sig = await signAs(user.id, 7, { ok: true });
    expect(sig.status).toBe('valid');
  });

  it('signs with the right password: meaning, printed name, server time and content hash', async () => {
    const user = await createTestUser(app, { username: 'signer', displayName: '李签' });
    const content = { b: [1, 2], a: '动火', nested: { y: null, x: true } };
    const sig = await signAs(user.id, 11, content);
    expect(sig).toMatchObject({
      recordKind: 'test_record',
      recordId: 11,
      meaning: 'approve',
      signerId: user.id,
      printedName: '李签',
      username: 'signer',
      signedAt: app.clock.now().toISOString(),
      contentHash: contentHash(content),
      authMethod: 'password',
      hasImage: false,
      status: 'valid',
    });
    const { signatures, db } = app.aegis.services;
    expect(await signatures.list(db, 'test_record', 11)).toEqual([sig]);
    expect(await signatures.verify(db, 'test_record', 11, () => content)).toEqual([sig]);
  });

  it('reports content changed after signing', async () => {
    const user = await createTestUser(app, { username: 'changer' });
    await signAs(user.id, 12, { text: 'before' });
    const { signatures, db } = app.aegis.services;
    const [sig] = await signatures.verify(db, 'test_record', 12, () => ({ text: 'after' }));
    expect(sig!.status).toBe('changed_after_signing');
    expect(sig!.statusText).toMatch(/签字后内容被修改/);
  });

  it('refuses to change or delete a signature row, and a row copied to another record is invalid', async () => {
    const user = await createTestUser(app, { username: 'copier' });
    const sig = await signAs(user.id, 13, { v: 1 });
    const { signatures, db } = app.aegis.services;
    await expect(db.query('UPDATE e_signature SET record_id = 14 WHERE id = $1', [sig.id])).rejects.toThrow(
      /never changed or removed/,
    );
    await expect(db.query('DELETE FROM e_signature WHERE id = $1', [sig.id])).rejects.toThrow(
      /never changed or removed/,
    );
    // the same row, mac and hash included, inserted under another record
    await db.query(
      `INSERT INTO e_signature (record_kind, record_id, meaning, signer_id, printed_name, username, signed_at,
         content_hash, auth_method, mac, image, image_sha256, node_id)
       SELECT record_kind, 14, meaning, signer_id, printed_name, username, signed_at, content_hash,
         auth_method, mac, image, image_sha256, node_id FROM e_signature WHERE id = $1`,
      [sig.id],
    );
    const [copy] = await signatures.verify(db, 'test_record', 14, () => ({ v: 1 }));
    expect(copy!.status).toBe('invalid');
    expect((await signatures.list(db, 'test_record', 14))[0]!.status).toBe('invalid');
    // the original stays valid
    expect((await signatures.verify(db, 'test_record', 13, () => ({ v: 1 })))[0]!.status).toBe('valid');
  });

  it('a signer whose name is edited in the row no longer verifies', async () => {
    const user = await createTestUser(app, { username: 'renamed' });
    const sig = await signAs(user.id, 15, { v: 1 });
    const { signatures, db } = app.aegis.services;
    await db.query(
      `INSERT INTO e_signature (record_kind, record_id, meaning, signer_id, printed_name, username, signed_at,
         content_hash, auth_method, mac)
       SELECT record_kind, record_id, meaning, signer_id, 'Someone Else', username, signed_at, content_hash,
         auth_method, mac FROM e_signature WHERE id = $1`,
      [sig.id],
    );
    const statuses = (await signatures.verify(db, 'test_record', 15, () => ({ v: 1 }))).map((s) => s.status);
    expect(statuses).toEqual(['valid', 'invalid']);
  });

  it('refuses a drawn image that is not a PNG, without counting an attempt; keeps a real one', async () => {
    const user = await createTestUser(app, { username: 'drawer' });
    const { signatures, users } = app.aegis.services;
    const ctx = await ctxOf(user.id);
    const jpeg = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    for (const image of [
      `data:image/png;base64,${jpeg.toString('base64')}`,
      `data:image/jpeg;base64,${jpeg.toString('base64')}`,
      'data:image/png;base64,iVBORw0KGgoAAAAN',
      `data:image/png;base64,${Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40)]).toString('base64')}`,
    ]) {
      const e = await refusal(signatures.reauthenticate(ctx, { password: 'wrong-anyway', image }));
      expect(e.code).toBe('validation_failed');
    }
    const big = await refusal(
      signatures.reauthenticate(ctx, {
        password: ADMIN_PASSWORD,
        image: `data:image/png;base64,${Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(301 * 1024)]).toString('base64')}`,
      }),
    );
    expect(big.message).toMatch(/KB accepted/);
    expect((await users.byId(user.id))!.failed_attempts).toBe(0);

    const sig = await signAs(user.id, 16, { v: 1 }, await png());
    expect(sig.hasImage).toBe(true);
    const reader = await app.as('drawer');
    const res = await reader.get(`/api/signatures/${sig.id}/image`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
  });

  it('serves the drawn image only to those the owner module lets read the record', async () => {
    const user = await createTestUser(app, { username: 'hidden' });
    const sig = await signAs(user.id, 5000, { v: 1 }, await png());
    const client = await app.as('hidden');
    expect((await client.get(`/api/signatures/${sig.id}/image`)).status).toBe(404);
    expect((await client.get('/api/signatures/999999/image')).status).toBe(404);
    const plain = await signAs(user.id, 17, { v: 1 });
    expect((await client.get(`/api/signatures/${plain.id}/image`)).status).toBe(404);
  });

  it('a confirmed password backs a signature for two minutes only, and only for its own signer', async () => {
    const a = await createTestUser(app, { username: 'proof.a' });
    const b = await createTestUser(app, { username: 'proof.b' });
    const { signatures, db } = app.aegis.services;
    const ctxA = await ctxOf(a.id);
    const proof = await signatures.reauthenticate(ctxA, { password: ADMIN_PASSWORD });
    const request = { recordKind: 'test_record', recordId: 18, meaning: 'check' as const, content: {} };
    const ctxB = await ctxOf(b.id);
    const other = await refusal(db.transaction((tx) => signatures.sign(tx, ctxB, proof, request)));
    expect(other.code).toBe('forbidden');
    app.clock.advance(2 * 60_000 + 1);
    const late = await refusal(db.transaction((tx) => signatures.sign(tx, ctxA, proof, request)));
    expect(late.code).toBe('reauthentication_failed');
    const forged = { ...proof };
    await expect(db.transaction((tx) => signatures.sign(tx, ctxA, forged, request))).rejects.toThrow(
      /proof returned by reauthenticate/,
    );
    expect(await signatures.list(db, 'test_record', 18)).toEqual([]);
  });

  it('refuses a one-time code while Aegis has no second factor, and machine accounts', async () => {
    const user = await createTestUser(app, { username: 'otp.user' });
    const { signatures, users } = app.aegis.services;
    const e = await refusal(
      signatures.reauthenticate(await ctxOf(user.id), { password: ADMIN_PASSWORD, otp: '123456' }),
    );
    expect(e.code).toBe('validation_failed');
    const machine = await users.create(systemContext('test-seed'), {
      username: 'plc.bot',
      displayName: 'PLC bot',
      password: 'Machine-Pass-2026!',
      employeeNo: null,
      phone: null,
      email: null,
      postId: null,
      teamId: null,
      departmentId: null,
      homeNodeId: null,
      kind: 'machine',
      locale: 'zh-CN',
    });
    const m = await refusal(
      signatures.reauthenticate(await ctxOf(machine.id), { password: 'Machine-Pass-2026!' }),
    );
    expect(m.code).toBe('forbidden');
    expect(m.message).toMatch(/Machine accounts cannot sign/);
  });

  it('keeps every signature in the audit chain, without the password or the image', async () => {
    const user = await createTestUser(app, { username: 'audited' });
    const sig = await signAs(user.id, 19, { v: 'audited' }, await png());
    const { db, audit } = app.aegis.services;
    const [entry] = await db.query<{
      target_type: string;
      target_id: string;
      after: Record<string, unknown>;
    }>(
      "SELECT target_type, target_id, after FROM audit_log WHERE action = 'signature.sign' AND target_id = '19'",
    );
    expect(entry).toMatchObject({
      target_type: 'test_record',
      after: { signatureId: sig.id, meaning: 'approve', contentHash: sig.contentHash },
    });
    expect(JSON.stringify(entry!.after)).not.toContain(ADMIN_PASSWORD);
    expect(JSON.stringify(entry!.after)).not.toContain('base64');
    expect((await audit.verify()).ok).toBe(true);
  });
});

describe('canonical JSON', () => {
  it('is the same for the same content whatever the key order, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }));
    expect(contentHash({ a: 1, gone: undefined })).toBe(contentHash({ a: 1 }));
    expect(canonicalJson(new Date('2026-03-02T08:00:00Z'))).toBe('"2026-03-02T08:00:00.000Z"');
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: '1' }));
  });
  it('refuses what JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson({ m: new Map([['a', 1]]) })).toThrow(/Map/);
    expect(() => canonicalJson([Buffer.from('x')])).toThrow(/Buffer/);
  });
});
