import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAegis } from '../../app.js';
import { manualClock } from '../../clock.js';
import { loadConfig } from '../../config.js';
import { systemContext } from '../../context.js';
import { ADMIN_PASSWORD, createPgDatabase, TEST_DB } from '../../test/harness.js';
import { anchorSettings } from './anchor.js';

describe('audit anchors on schedule', () => {
  it('signs the chain head at shutdown when the scheduler runs, with the time of the injected clock', {
    timeout: 180_000,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-anchor-'));
    const pg = TEST_DB === 'pg' ? await createPgDatabase() : null;
    const clock = manualClock(new Date('2026-03-02T08:00:00Z'));
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir,
        databaseUrl: pg?.url,
        adminPassword: ADMIN_PASSWORD,
        logLevel: 'silent',
        mqttPort: 0,
        mqttWsPort: 0,
        auditAnchorMinutes: 5,
      },
    });
    try {
      const aegis = await createAegis(config, { clock, inMemoryDb: true, timers: true });
      clock.advance(60_000);
      await aegis.services.audit.record(systemContext('test'), { action: 'test.before.shutdown' });
      const head = (await aegis.services.audit.head())!;
      await aegis.close();
      const lines = readFileSync(anchorSettings(config).file, 'utf8').trim().split('\n');
      const last = JSON.parse(lines.at(-1)!);
      expect(last).toMatchObject({ seq: head.seq, hash: head.hash, at: '2026-03-02T08:01:00.000Z' });
    } finally {
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
