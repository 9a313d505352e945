import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../errors.js';

/** File in DATA_DIR holding the sandbox's consent-state secret. */
export const STATE_SECRET_FILE = 'consent-state.key';

/**
 * The sandbox needs no configured secret: it makes one the first time and keeps it in DATA_DIR
 * (readable by the owner only), so consent links survive a restart as they do in connected mode.
 */
export function loadOrCreateStateSecret(dataDir: string): string {
  const path = join(dataDir, STATE_SECRET_FILE);
  const existing = readSecret(path);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process made it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const created = readSecret(path);
  if (!created) throw new StartupError(`The consent-state secret in ${path} is shorter than 32 characters or unreadable; remove the file and start again to make a new one.`);
  return created;
}

function readSecret(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text.length >= 32 ? text : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
