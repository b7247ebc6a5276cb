import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../context.js';
import { systemContext } from '../../context.js';
import { AppError } from '../../errors.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { hamming, NEAR_DUPLICATE_MAX_DISTANCE, zonedToUtc } from './checks.js';

// The clock stands at 2026-03-02T08:00Z (16:00 in Shanghai); the fake tasks' window is 07:30–09:00Z.

/** A made-up picture: a background and a dozen coloured shapes placed by the seed. */
async function scene(seed: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const c = () => `rgb(${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)})`;
  let shapes = '';
  for (let i = 0; i < 12; i++) {
    shapes +=
      i % 2
        ? `<rect x="${rnd() * 700}" y="${rnd() * 500}" width="${40 + rnd() * 300}" height="${40 + rnd() * 250}" fill="${c()}"/>`
        : `<circle cx="${rnd() * 800}" cy="${rnd() * 600}" r="${20 + rnd() * 150}" fill="${c()}"/>`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="100%" height="100%" fill="${c()}"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A JPEG "photo" of a scene, with the EXIF capture time a camera writes (local time, optional offset). */
async function photo(
  picture: Buffer,
  opts: { taken?: string; offset?: string; width?: number; quality?: number } = {},
) {
  let img = sharp(picture);
  if (opts.width) img = img.resize(opts.width);
  img = img.jpeg({ quality: opts.quality ?? 90 });
  if (opts.taken) {
    img = img.withExif({
      IFD0: { Make: 'Aegis test camera' },
      IFD2: {
        DateTimeOriginal: opts.taken,
        ...(opts.offset ? { OffsetTimeOriginal: opts.offset } : {}),
      },
    });
  }
  return img.toBuffer();
}

type ErrorBody = { error: { code: string; message: string } };

const NOW_LOCAL = '2026:03:02 16:05:00'; // 08:05Z in Shanghai: inside the window

describe('photo evidence', () => {
  let app: TestApp;
  let admin: Client;
  let leadA: Client;
  let leadB: Client;
  let plant: Awaited<ReturnType<typeof seedTwoWorkshops>>;
  // fake owners (inspection tasks): id → place, reuse scope and window
  const tasks = new Map<
    number,
    { path: string; scopeKey: string; window: { from: Date; to: Date } | null }
  >();
  let sceneA: Buffer;
  let sceneB: Buffer;

  const upload = (
    client: Client,
    bytes: Buffer,
    q: { ownerId: number; clientId?: string; fileName?: string },
    contentType = 'image/jpeg',
  ) => {
    const params = new URLSearchParams({ ownerKind: 'inspection_task', ownerId: String(q.ownerId) });
    if (q.clientId) params.set('clientId', q.clientId);
    params.set('fileName', q.fileName ?? 'photo.jpg');
    return client.request('POST', `/api/evidence?${params}`, bytes, { 'content-type': contentType });
  };
  const rowCount = async () =>
    Number(
      (await app.aegis.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM evidence_photo'))[0]!
        .n,
    );

  beforeAll(async () => {
    app = await startTestApp();
    plant = await seedTwoWorkshops(app);
    const { evidence, guard } = app.aegis.services;
    evidence.registerOwner('inspection_task', {
      async readable(ctx: RequestContext, id: number) {
        const t = tasks.get(id);
        return t && guard.can(ctx, 'inspection.read', t.path) ? { path: t.path } : null;
      },
      async attachable(ctx: RequestContext, id: number) {
        const t = tasks.get(id);
        if (!t || !guard.can(ctx, 'inspection.read', t.path))
          throw new AppError('not_found', `Task ${id} not found`);
        if (!guard.can(ctx, 'inspection.perform', t.path))
          throw new AppError('forbidden', 'You may not perform this inspection');
        return t;
      },
    });
    const window = { from: new Date('2026-03-02T07:30:00Z'), to: new Date('2026-03-02T09:00:00Z') };
    for (let id = 1; id <= 20; id++)
      tasks.set(id, { path: plant.a.press.path, scopeKey: `plan:${id}`, window });
    tasks.set(100, { path: plant.a.press.path, scopeKey: 'plan:shared', window });
    tasks.set(101, { path: plant.a.press.path, scopeKey: 'plan:shared', window });
    tasks.set(200, { path: plant.a.press.path, scopeKey: 'plan:nowindow', window: null });
    admin = await app.as('admin');
    leadA = await app.as('lead.a');
    leadB = await app.as('lead.b');
    [sceneA, sceneB] = await Promise.all([scene(7), scene(4242)]);
  }, 60_000);
  afterAll(() => app?.close());

  it('keeps a photo taken in the window unflagged, the file byte for byte as uploaded', async () => {
    const bytes = await photo(sceneA, { taken: NOW_LOCAL, offset: '+08:00' });
    const res = await upload(admin, bytes, { ownerId: 1, fileName: '压力机.jpg' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ownerKind: 'inspection_task',
      ownerId: 1,
      fileName: '压力机.jpg',
      mime: 'image/jpeg',
      bytes: bytes.length,
      width: 800,
      height: 600,
      takenAt: '2026-03-02T08:05:00.000Z',
      flags: [],
      review: null,
    });
    const { sha256 } = res.body;
    const onDisk = readFileSync(path.join(app.config.dataDir, 'evidence', sha256.slice(0, 2), sha256));
    expect(onDisk.equals(bytes)).toBe(true);

    const file = await app.aegis.http.inject({
      method: 'GET',
      url: `/api/evidence/${res.body.id}/file`,
      headers: { cookie: admin.cookie },
    });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(bytes)).toBe(true);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(String(file.headers['content-disposition'])).toContain("filename*=UTF-8''%E5%8E%8B");
    const thumb = await app.aegis.http.inject({
      method: 'GET',
      url: `/api/evidence/${res.body.id}/thumb`,
      headers: { cookie: admin.cookie },
    });
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(320);

    const audit = await app.aegis.services.db.query<{ after: { sha256: string } }>(
      `SELECT after FROM audit_log WHERE action = 'evidence.store' AND target_id = $1`,
      [String(res.body.id)],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after.sha256).toBe(sha256);
  });

  it('flags the same photo sent again for the same plan as a duplicate of the first', async () => {
    const bytes = await photo(sceneB, { taken: NOW_LOCAL, offset: '+08:00' });
    const first = await upload(admin, bytes, { ownerId: 100 });
    expect(first.body.flags).toEqual([]);
    const second = await upload(admin, bytes, { ownerId: 101 });
    expect(second.status).toBe(201);
    expect(second.body.flags).toHaveLength(1);
    expect(second.body.flags[0]).toMatchObject({ code: 'duplicate', details: { photoId: first.body.id } });
    expect(second.body.flags[0].message.zh).toContain(`#${first.body.id}`);
  });

  it('flags the same scene re-encoded and resized as a near duplicate, naming the earlier photo', async () => {
    const picture = await scene(99);
    const original = await photo(picture, { taken: NOW_LOCAL, offset: '+08:00' });
    const reworked = await photo(picture, { taken: NOW_LOCAL, offset: '+08:00', width: 640, quality: 60 });
    const first = await upload(admin, original, { ownerId: 2 });
    tasks.get(3)!.scopeKey = 'plan:2';
    const second = await upload(admin, reworked, { ownerId: 3 });
    expect(second.body.flags.map((f: { code: string }) => f.code)).toEqual(['near_duplicate']);
    expect(second.body.flags[0].details.photoId).toBe(first.body.id);
    expect(second.body.flags[0].details.distance).toBeLessThanOrEqual(NEAR_DUPLICATE_MAX_DISTANCE);
  });

  it('does not flag a different photo of the same plan', async () => {
    tasks.get(5)!.scopeKey = 'plan:4';
    const first = await upload(admin, await photo(await scene(1), { taken: NOW_LOCAL, offset: '+08:00' }), {
      ownerId: 4,
    });
    const other = await upload(admin, await photo(await scene(2), { taken: NOW_LOCAL, offset: '+08:00' }), {
      ownerId: 5,
    });
    expect(first.body.flags).toEqual([]);
    expect(other.body.flags).toEqual([]);
  });

  it('tells different scenes apart by dHash distance, and the same scene re-encoded not', async () => {
    const hashOf = async (b: Buffer) => {
      const grey = await sharp(b).greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer();
      const { dhashOf } = await import('./checks.js');
      return dhashOf(grey);
    };
    const scenes = await Promise.all([1, 2, 3, 4, 5].map((s) => scene(s)));
    const hashes = await Promise.all(scenes.map(hashOf));
    for (let i = 0; i < hashes.length; i++)
      for (let j = i + 1; j < hashes.length; j++)
        expect(hamming(hashes[i]!, hashes[j]!)).toBeGreaterThan(NEAR_DUPLICATE_MAX_DISTANCE);
    const again = await hashOf(await photo(scenes[0]!, { width: 500, quality: 50 }));
    expect(hamming(hashes[0]!, again)).toBeLessThanOrEqual(NEAR_DUPLICATE_MAX_DISTANCE / 2);
  });

  it('flags a photo whose EXIF time is three days old', async () => {
    const bytes = await photo(await scene(31), { taken: '2026:02:27 16:00:00', offset: '+08:00' });
    const res = await upload(admin, bytes, { ownerId: 6 });
    expect(res.status).toBe(201);
    expect(res.body.takenAt).toBe('2026-02-27T08:00:00.000Z');
    expect(res.body.flags).toHaveLength(1);
    expect(res.body.flags[0]).toMatchObject({
      code: 'captured_outside_window',
      details: { takenAt: '2026-02-27T08:00:00.000Z', from: '2026-03-02T07:30:00.000Z' },
    });
    expect(res.body.flags[0].message.en).toMatch(/taken at 27\/02\/2026, 16:00, outside the task window/);
  });

  it('reads an EXIF time without offset in the plant time zone', async () => {
    // 16:05 on the camera, no offset: Shanghai time, 08:05Z — inside; read as UTC it would be 8 h late
    const res = await upload(admin, await photo(await scene(32), { taken: NOW_LOCAL }), { ownerId: 7 });
    expect(res.body.takenAt).toBe('2026-03-02T08:05:00.000Z');
    expect(res.body.flags).toEqual([]);
    expect(zonedToUtc('2026-07-01T12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T10:00:00.000Z');
  });

  it('flags a photo without a capture time, and keeps it', async () => {
    const res = await upload(admin, await photo(await scene(33)), { ownerId: 8 });
    expect(res.status).toBe(201);
    expect(res.body.takenAt).toBeNull();
    expect(res.body.flags.map((f: { code: string }) => f.code)).toEqual(['no_capture_time']);
    // an owner without a window (ad hoc report) has no time to check against
    const adHoc = await upload(admin, await photo(await scene(34)), { ownerId: 200 });
    expect(adHoc.body.flags).toEqual([]);
  });

  it('refuses a PDF renamed .jpg, saying what it is, and stores nothing', async () => {
    const before = await rowCount();
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );
    const res = await upload(admin, pdf, { ownerId: 9, fileName: 'photo.jpg' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(res.body.error.message).toContain('application/pdf');
    expect(await rowCount()).toBe(before);
  });

  it('refuses a damaged (truncated) JPEG', async () => {
    const bytes = await photo(await scene(35), { taken: NOW_LOCAL, offset: '+08:00' });
    const res = await upload(admin, bytes.subarray(0, Math.floor(bytes.length / 2)), { ownerId: 10 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('evidence_refused');
    expect(res.body.error.message).toMatch(/damaged or incomplete/);
  });

  it('refuses a 50 MB upload early with a clear message, and stores nothing', async () => {
    const before = await rowCount();
    const huge = Buffer.alloc(50 * 1024 * 1024, 0xff);
    const res = await upload(admin, huge, { ownerId: 11 });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(res.body.error.message).toMatch(/50\.0 MB, larger than the 15 MB accepted/);
    expect(await rowCount()).toBe(before);
  });

  it('refuses a 50 MB upload over a real connection before reading it (with and without Content-Length)', async () => {
    const address = await app.aegis.http.listen({ port: 0, host: '127.0.0.1' });
    const url = `${address}/api/evidence?ownerKind=inspection_task&ownerId=11&fileName=big.jpg`;
    const headers = { cookie: admin.cookie, 'content-type': 'image/jpeg' };
    const sized = await fetch(url, { method: 'POST', headers, body: Buffer.alloc(50 * 1024 * 1024, 1) });
    expect(sized.status).toBe(413);
    expect(((await sized.json()) as ErrorBody).error.message).toMatch(
      /50\.0 MB, larger than the 15 MB accepted/,
    );
    const chunked = await fetch(url, {
      method: 'POST',
      headers,
      duplex: 'half',
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 50; i++) c.enqueue(new Uint8Array(1024 * 1024));
          c.close();
        },
      }),
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as ErrorBody).error.message).toMatch(/larger than the 15 MB accepted/);
  }, 60_000);

  it('refuses uploads and reviews to someone with neither permission, before reading the body', async () => {
    await createTestUser(app, { username: 'auditor.ev', role: 'auditor' });
    const auditor = await app.as('auditor.ev');
    const res = await upload(auditor, Buffer.alloc(1000), { ownerId: 1 });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('inspection.perform');
    expect((await auditor.post('/api/evidence/1/review', {})).status).toBe(403);
    expect((await auditor.get('/api/evidence/1')).status).toBe(200);
  });

  it('refuses a photo over the limit also when stored directly', async () => {
    const { evidence, db } = app.aegis.services;
    const big = Buffer.alloc(16 * 1024 * 1024, 1);
    await expect(
      db.transaction((tx) =>
        evidence.store(tx, systemContext('test'), {
          ownerKind: 'inspection_task',
          ownerId: 11,
          bytes: big,
          fileName: 'big.jpg',
        }),
      ),
    ).rejects.toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/at most 15 MB/) });
  });

  it('stores a photo synced twice with the same client id once', async () => {
    const bytes = await photo(await scene(36), { taken: NOW_LOCAL, offset: '+08:00' });
    const clientId = 'phone-7b1e2c4d-photo-1';
    const first = await upload(admin, bytes, { ownerId: 12, clientId });
    const again = await upload(admin, bytes, { ownerId: 12, clientId });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.flags).toEqual([]);
    const rows = await app.aegis.services.db.query('SELECT id FROM evidence_photo WHERE client_id = $1', [
      clientId,
    ]);
    expect(rows).toHaveLength(1);
    const found = await app.aegis.services.evidence.byClientIds(app.aegis.services.db, [clientId]);
    expect(found.map((p) => p.id)).toEqual([first.body.id]);
    // the same id for another record is a mistake of the client
    const other = await upload(admin, bytes, { ownerId: 13, clientId });
    expect(other.status).toBe(409);
  });

  it('stores two simultaneous uploads of the same client id once', async () => {
    const bytes = await photo(await scene(40), { taken: NOW_LOCAL, offset: '+08:00' });
    const clientId = 'phone-race-photo-1';
    const [a, b] = await Promise.all([
      upload(admin, bytes, { ownerId: 17, clientId }),
      upload(admin, bytes, { ownerId: 17, clientId }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    const audit = await app.aegis.services.db.query(
      `SELECT 1 FROM audit_log WHERE action = 'evidence.store' AND target_id = $1`,
      [String(a.body.id)],
    );
    expect(audit).toHaveLength(1);
  });

  it('compares photos as they are shown: a copy stored sideways with an EXIF orientation is a near duplicate', async () => {
    const picture = await scene(41);
    const upright = await photo(picture, { taken: NOW_LOCAL, offset: '+08:00' });
    // the pixels turned a quarter to the left, with orientation 6 telling viewers to turn them back
    const sideways = await sharp(picture)
      .rotate(-90)
      .jpeg({ quality: 85 })
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD2: { DateTimeOriginal: NOW_LOCAL, OffsetTimeOriginal: '+08:00' } })
      .toBuffer();
    tasks.get(19)!.scopeKey = 'plan:18';
    const first = await upload(admin, upright, { ownerId: 18 });
    const second = await upload(admin, sideways, { ownerId: 19 });
    expect(second.body).toMatchObject({ width: 800, height: 600 });
    expect(second.body.flags.map((f: { code: string }) => f.code)).toEqual(['near_duplicate']);
    expect(second.body.flags[0].details.photoId).toBe(first.body.id);
  });

  it("hides a photo from someone who may not read its owner (404), and lists the owner's photos", async () => {
    const bytes = await photo(await scene(37), { taken: NOW_LOCAL, offset: '+08:00' });
    const { body } = await upload(admin, bytes, { ownerId: 14 });
    for (const suffix of ['', '/file', '/thumb']) {
      const res = await leadB.get(`/api/evidence/${body.id}${suffix}`);
      expect(res.status).toBe(404);
    }
    expect((await leadB.get('/api/evidence?ownerKind=inspection_task&ownerId=14')).status).toBe(404);
    expect((await leadA.get(`/api/evidence/${body.id}`)).body.id).toBe(body.id);
    const list = await leadA.get('/api/evidence?ownerKind=inspection_task&ownerId=14');
    expect(list.body.map((p: { id: number }) => p.id)).toEqual([body.id]);
    // and may not attach to it either
    expect((await upload(leadB, bytes, { ownerId: 14 })).status).toBe(404);
  });

  it('lets a reviewer at the place accept a flagged photo with a reason, audited; never the uploader', async () => {
    const bytes = await photo(await scene(38), { taken: '2026:02:27 16:00:00', offset: '+08:00' });
    const { body } = await upload(admin, bytes, { ownerId: 15 });
    expect(body.flags[0].code).toBe('captured_outside_window');

    const self = await admin.post(`/api/evidence/${body.id}/review`, {
      decision: 'accepted',
      reason: 'my own photo',
    });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('separation_of_duties');
    expect(
      (await leadB.post(`/api/evidence/${body.id}/review`, { decision: 'accepted', reason: 'x y z' })).status,
    ).toBe(404);
    expect((await leadA.post(`/api/evidence/${body.id}/review`, { decision: 'accepted' })).status).toBe(400);

    const ok = await leadA.post(`/api/evidence/${body.id}/review`, {
      decision: 'accepted',
      reason: '相机时间设置错误，现场已核实',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.review).toMatchObject({
      decision: 'accepted',
      by: { name: 'Lead A' },
      reason: '相机时间设置错误，现场已核实',
      at: '2026-03-02T08:00:00.000Z',
    });
    const audit = await app.aegis.services.db.query<{ reason: string }>(
      `SELECT reason FROM audit_log WHERE action = 'evidence.accept' AND target_id = $1`,
      [String(body.id)],
    );
    expect(audit.map((a) => a.reason)).toEqual(['相机时间设置错误，现场已核实']);
  });

  it('needs the review permission at the place: an inspector may not review', async () => {
    await createTestUser(app, { username: 'inspector.ev', role: 'operator' });
    const inspector = await app.as('inspector.ev');
    const bytes = await photo(await scene(39), { taken: NOW_LOCAL, offset: '+08:00' });
    const { body } = await upload(inspector, bytes, { ownerId: 16 });
    expect(body.uploadedBy.name).toBe('inspector.ev');
    const res = await inspector.post(`/api/evidence/${body.id}/review`, {
      decision: 'rejected',
      reason: 'not mine',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});
