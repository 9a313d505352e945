import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod/v4';
import { StartupError } from '../errors.js';
import type { CollectionSpec, Storage } from '../store/storage.js';

/** File in DATA_DIR holding the sandbox's consent-state secret. */
export const STATE_SECRET_FILE = 'consent-state.key';

const SharedSecretSchema = z.object({ id: z.literal('consent-state'), value: z.string().min(32) });
/** Secrets every instance must share, kept in the database when there is one. */
export const SHARED_SECRETS: CollectionSpec<z.infer<typeof SharedSecretSchema>> = { name: 'secrets', schema: SharedSecretSchema, keyOf: (s) => s.id };

/**
 * The sandbox needs no configured secret: it makes one the first time and keeps it, so consent
 * links survive a restart as they do in connected mode. On the embedded store it is a file in
 * DATA_DIR readable by the owner only; on PostgreSQL it is in the database, the same for every
 * instance (the first to start makes it), so a link issued by one is accepted by all.
 */
export async function loadOrCreateStateSecret(storage: Storage, dataDir: string): Promise<string> {
  if (storage.kind === 'embedded') return loadOrCreateSecretFile(dataDir);
  return storage.collection(SHARED_SECRETS).write((draft) => {
    const existing = draft.get('consent-state');
    if (existing) return existing.value;
    const value = randomBytes(32).toString('base64url');
    draft.put({ id: 'consent-state', value });
    return value;
  });
}

function loadOrCreateSecretFile(dataDir: string): string {
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
