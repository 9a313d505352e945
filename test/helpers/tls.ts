import { readFileSync } from 'node:fs';
import type { TlsMaterial } from '../../src/emulator/http-kit.js';

/** The loopback certificate `npm test` generated; NODE_EXTRA_CA_CERTS makes clients trust it. */
export function testTls(): TlsMaterial {
  const certPath = process.env.SOC_BRIDGE_TEST_TLS_CERT;
  const keyPath = process.env.SOC_BRIDGE_TEST_TLS_KEY;
  if (!certPath || !keyPath) {
    throw new Error('Run the tests with `npm test`: it creates the loopback certificate and sets SOC_BRIDGE_TEST_TLS_CERT, SOC_BRIDGE_TEST_TLS_KEY and NODE_EXTRA_CA_CERTS');
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}
