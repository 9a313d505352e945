import { fileURLToPath } from 'node:url';

/**
 * The project's root folder. This file sits one level below it both as `src/paths.ts` and as the
 * compiled `dist/paths.js`, so the same relative step works in tests and in production.
 */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Folder of the Adaptive Card templates. */
export const cardsDir = fileURLToPath(new URL('../cards/', import.meta.url));
