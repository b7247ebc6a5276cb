import os from 'node:os';
import path from 'node:path';
import { OPCUACertificateManager, OPCUAServer } from 'node-opcua';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/modules/connectors/modbus/testing.js';
import { login, PHONE, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();
let server: OPCUAServer | null = null;
afterAll(async () => {
  await server?.shutdown(0);
});

describe('connector security in the browser', () => {
  it('shows a new OPC UA server certificate for approval on a phone, and connects once it is approved', async () => {
    const port = await freePort();
    server = new OPCUAServer({
      port,
      hostname: '127.0.0.1',
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: path.join(os.tmpdir(), 'aegis-e2e-opcua-pki'),
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    await server.initialize();
    await server.start();
    const admin = await e2e.app.as('admin');
    const created = await admin.post('/api/connectors', {
      code: 'opc-press',
      name: '冲压线 OPC UA',
      kind: 'opcua',
      config: {
        endpointUrl: `opc.tcp://127.0.0.1:${port}`,
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
      },
      reason: '冲压线投运',
    });
    expect(created.status).toBe(201);

    const page = await e2e.page(PHONE);
    // In English: this machine's Chromium may have no Chinese font, and the screenshot is to be read.
    await page.addInitScript({ content: "localStorage.setItem('aegis.lang', 'en-US')" });
    await login(page, 'admin');
    await page.goto('/connectors');
    const alert = page.getByTestId('certificate-pending');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toContain('waits for approval');
    await alert.getByTestId('certificate-review').click();
    const pending = page.locator('[data-certificate-status="pending"]');
    await pending.waitFor();
    const fingerprint = (await admin.get(`/api/connectors/${created.body.id}`)).body.certificates[0]
      .fingerprint as string;
    await pending.getByText(fingerprint).waitFor();
    await page.screenshot({
      path: process.env.AEGIS_SHOT ?? path.join(os.tmpdir(), 'aegis-connector-certificate.png'),
    });

    await pending.getByTestId('certificate-approve').click();
    const modal = page
      .locator('.ant-modal-container')
      .filter({ has: page.getByTestId('certificate-decision') });
    expect(await modal.getByTestId('certificate-decision').textContent()).toBe(fingerprint);
    await modal.locator('textarea').fill('指纹已与服务器显示核对');
    await modal.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-certificate-status="approved"]').waitFor();
    await page.locator('.ant-drawer [data-connector-state="connected"]').waitFor({ timeout: 60_000 });
    const audit = await admin.get('/api/audit?action=connector.certificate.approve');
    expect(audit.body.items[0]).toMatchObject({ reason: '指纹已与服务器显示核对' });
  });
});
