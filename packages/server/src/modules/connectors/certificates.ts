import { X509Certificate } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import * as repo from './repo.js';

export type CertificateTrustPolicy = 'trust-on-first-use-with-approval' | 'trust-all';

/** The first certificate of a DER chain (servers may send theirs with its issuers). */
function firstDer(der: Buffer) {
  if (der.length < 2 || der[0] !== 0x30) return der;
  const lenByte = der[1]!;
  if (lenByte < 0x80) return der.subarray(0, 2 + lenByte);
  const n = lenByte & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
  return der.subarray(0, 2 + n + len);
}

/** What an administrator compares before approving: SHA-256 fingerprint, subject, validity. */
export function describeCertificate(der: Buffer) {
  const x = new X509Certificate(firstDer(der));
  return {
    fingerprint: x.fingerprint256,
    subject: x.subject.split('\n').join(', '),
    validFrom: new Date(x.validFrom),
    validTo: new Date(x.validTo),
  };
}

/**
 * Server-certificate trust for OPC UA connectors. trust-on-first-use-with-approval: a certificate
 * not seen before is stored as pending and refused until an administrator approves it on the
 * connectors page; a changed certificate is refused and waits again. trust-all: every certificate.
 */
export function certificateTrust(deps: { db: Db; clock: Clock; policy: CertificateTrustPolicy }) {
  return (connectorId: number) =>
    async (der: Buffer): Promise<{ trusted: boolean; detail: string }> => {
      if (deps.policy === 'trust-all') return { trusted: true, detail: 'every certificate is trusted' };
      let seen: ReturnType<typeof describeCertificate>;
      try {
        seen = describeCertificate(der);
      } catch {
        return { trusted: false, detail: 'the server sent a certificate that cannot be read' };
      }
      const stored = await repo.seeCertificate(deps.db, {
        connectorId,
        ...seen,
        firstSeenAt: deps.clock.now(),
      });
      const which = `the server certificate ${stored.fingerprint} (${stored.subject})`;
      if (stored.status === 'approved') return { trusted: true, detail: `${which} is approved` };
      if (stored.status === 'rejected')
        return { trusted: false, detail: `not connecting: ${which} was rejected by an administrator` };
      return {
        trusted: false,
        detail: `not connecting: ${which} waits for an administrator's approval on the connectors page`,
      };
    };
}
