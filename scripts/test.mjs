// `npm test`: runs jest with what ESM and the HTTPS emulators need, then prints the plain
// "N passed, N failed" line CI reads. Extra arguments go to jest (e.g. `npm test -- store`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificate } from './dev-certificate.mjs';

// Some tests start the compiled bot as a real process (exit codes, signals), so build first.
const build = spawnSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const tlsDir = join(tmpdir(), 'soc-bridge-test-tls');
const { certPath, keyPath } = await ensureDevCertificate(tlsDir);
const reportDir = mkdtempSync(join(tmpdir(), 'soc-bridge-jest-'));
const reportPath = join(reportDir, 'report.json');

const jestBin = join('node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(process.execPath, [jestBin, '--json', `--outputFile=${reportPath}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules'].filter(Boolean).join(' '),
    NODE_EXTRA_CA_CERTS: certPath,
    SOC_BRIDGE_TEST_TLS_CERT: certPath,
    SOC_BRIDGE_TEST_TLS_KEY: keyPath,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  },
});

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
} catch {
  failed = Math.max(failed, 1);
  console.error('jest wrote no report: the run did not complete');
}
rmSync(reportDir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
