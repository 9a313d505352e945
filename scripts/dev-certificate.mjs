// Creates (once) the self-signed certificate the local Entra and Graph emulators serve HTTPS with.
// @azure/identity refuses http:// authorities, and Node trusts extra CAs only through
// NODE_EXTRA_CA_CERTS read at process start, so the certificate must exist before the bot starts.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';

/** Returns the paths of a loopback certificate in `dir`, generating it when missing. */
export async function ensureDevCertificate(dir) {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const notAfterDate = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    writeFileSync(keyPath, pems.private, { mode: 0o600 });
    writeFileSync(certPath, pems.cert);
  }
  return { certPath, keyPath };
}
