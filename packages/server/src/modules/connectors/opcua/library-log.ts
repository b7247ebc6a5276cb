import { format } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import { setWarningLogger } from 'node-opcua';

/**
 * node-opcua writes its warnings straight to the console. They go to Aegis's logger instead,
 * except one that does not concern Aegis: on Node 20.11+ node-opcua tests RSA PKCS#1 v1.5
 * decryption when it is loaded and, finding it disabled (CVE-2023-46809), advises running node
 * with --security-revert. Only the Basic128Rsa15 and Basic256 policies need that padding; Aegis
 * offers neither (opcua/security.ts), so the advice would only alarm an administrator into
 * weakening Node. It is dropped here, and nothing else is.
 */
const IRRELEVANT = [/NODE-OPCUA-W27/, /--security-revert=CVE-2023-46809/, /^node version v\d/];
// After a subscription change the server may still publish for an item just removed: harmless.
const ROUTINE = [
  /notification for a unknown monitoredItem/,
  /previous message repeated/,
  /Creating default certificate/,
];

let target: FastifyBaseLogger | null = null;

setWarningLogger((...args: unknown[]) => {
  // node-opcua passes its caller context (file, line) first.
  const text = format(...args.slice(1));
  if (IRRELEVANT.some((r) => r.test(text.trim()))) return;
  if (!target) return void process.stderr.write(`node-opcua: ${text}\n`);
  if (ROUTINE.some((r) => r.test(text))) target.debug({ library: 'node-opcua' }, text);
  else target.warn({ library: 'node-opcua' }, text);
});

/** Where node-opcua's warnings go (the last OPC UA driver started; they are process-wide). */
export function routeLibraryWarnings(log: FastifyBaseLogger) {
  target = log;
}
