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

const jestBin = join('node_modules', 'jest', 'bin', 'jest.js');
const env = {
  ...process.env,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules'].filter(Boolean).join(' '),
  NODE_EXTRA_CA_CERTS: certPath,
  SOC_BRIDGE_TEST_TLS_CERT: certPath,
  SOC_BRIDGE_TEST_TLS_KEY: keyPath,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
};

/** Runs jest with `args`; returns its exit status and the tests it counted. */
function jest(name, args) {
  const reportPath = join(reportDir, `${name}.json`);
  const run = spawnSync(process.execPath, [jestBin, '--json', `--outputFile=${reportPath}`, ...args], { stdio: 'inherit', env });
  try {
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    return { ok: run.status === 0, passed: report.numPassedTests, failed: report.numFailedTests + report.numRuntimeErrorTestSuites };
  } catch {
    console.error(`jest wrote no report for the ${name} tests: the run did not complete`);
    return { ok: false, passed: 0, failed: 1 };
  }
}

// Tests named *.alone.test.ts start several processes of the bot and measure what they do under
// load (a kill test): they run after the rest, one at a time, with nothing else running beside them.
const ALONE = '\\.alone\\.test\\.ts$';
const args = process.argv.slice(2);
const runs = args.length > 0 ? [jest('selected', args)] : [jest('suite', ['--testPathIgnorePatterns', ALONE]), jest('alone', ['--runInBand', '--testPathPatterns', ALONE])];
const passed = runs.reduce((sum, r) => sum + r.passed, 0);
const failed = runs.reduce((sum, r) => sum + r.failed, 0);
rmSync(reportDir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(runs.every((r) => r.ok) && failed === 0 && passed > 0 ? 0 : 1);
