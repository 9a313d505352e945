import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { StoreError } from '../errors.js';

/** The lock's name inside the data folder (a directory, as proper-lockfile makes it). */
export const DATA_DIR_LOCK_NAME = 'soc-bridge.lock';

/**
 * A holder refreshes its lock every few seconds; a lock not refreshed for this long belongs to a
 * process that died (killed, crashed) and is taken over. Long enough that a busy event loop (a
 * large store write) never makes a live holder look dead.
 */
export const DATA_DIR_LOCK_STALE_MS = 10_000;

/** Releases the lock; safe to call more than once. */
export type ReleaseDataDirLock = () => Promise<void>;

/**
 * Makes this process the only one using `dataDir`: the embedded store is a file one process owns.
 * Throws StoreError `store.locked` when another live process holds it. `onLost` runs if the lock is
 * taken away later (its refresh failed for longer than the stale time and someone else took it).
 */
export async function lockDataDir(dataDir: string, onLost: (error: Error) => void): Promise<ReleaseDataDirLock> {
  const lockPath = join(dataDir, DATA_DIR_LOCK_NAME);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, {
      lockfilePath: lockPath,
      stale: DATA_DIR_LOCK_STALE_MS,
      realpath: false,
      onCompromised: onLost,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ELOCKED') {
      throw new StoreError(
        'store.locked',
        `Another SOC Bridge process is using the data folder ${dataDir} (it holds ${lockPath}). The embedded store serves one process only: stop the other one, or set DATABASE_URL to run several instances on PostgreSQL. A lock left by a process that was killed is taken over ${DATA_DIR_LOCK_STALE_MS / 1000} seconds after it stopped.`,
        error,
      );
    }
    throw new StoreError('store.unreadable', `Cannot lock the data folder ${dataDir}: ${(error as Error).message}`, error);
  }
  let released: Promise<void> | undefined;
  return () => {
    // A lock already compromised or released rejects; closing must not fail for that.
    released ??= release().catch(() => undefined);
    return released;
  };
}
