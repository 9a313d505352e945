import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../../src/errors.js';
import { STATE_SECRET_FILE, loadOrCreateStateSecret } from '../../src/onboarding/state-secret.js';

describe('the sandbox consent-state secret', () => {
  it('is made once, readable by the owner only, and the same after a restart', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'soc-bridge-secret-')), 'data');
    const first = loadOrCreateStateSecret(dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, STATE_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateStateSecret(dir)).toBe(first);
    expect(loadOrCreateStateSecret(join(mkdtempSync(join(tmpdir(), 'soc-bridge-secret-')), 'data'))).not.toBe(first);
  });

  it('refuses a file that holds too short a secret instead of overwriting it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-secret-'));
    writeFileSync(join(dir, STATE_SECRET_FILE), 'short\n');
    expect(() => loadOrCreateStateSecret(dir)).toThrow(StartupError);
    expect(() => loadOrCreateStateSecret(dir)).toThrow(/consent-state secret in .* is shorter than 32 characters or unreadable; remove the file/);
    expect(readFileSync(join(dir, STATE_SECRET_FILE), 'utf8')).toBe('short\n');
  });
});
