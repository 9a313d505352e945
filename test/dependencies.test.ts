import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

interface NpmTree {
  version?: string;
  problems?: string[];
  dependencies?: Record<string, NpmTree>;
}

/** `npm ls --all` over the installed tree, as CI runs it after `npm ci`. */
function npmLs(): { status: number | null; tree: NpmTree } {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const result = spawnSync('npm', ['ls', '--all', '--json'], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, tree: JSON.parse(result.stdout) as NpmTree };
}

describe('the installed dependency tree', () => {
  const { status, tree } = npmLs();

  it('is what package.json and the lockfile say: npm ls finds nothing extraneous, invalid or missing', () => {
    expect(tree.problems ?? []).toEqual([]);
    expect(status).toBe(0);
  });

  it('keeps zod 3.25 (whose zod/v4 the code imports) and no AI stack beside botbuilder', () => {
    expect(tree.dependencies?.zod?.version).toMatch(/^3\.25\./);
    expect(tree.dependencies?.['@microsoft/teams-ai']).toBeUndefined();
    expect(tree.dependencies?.openai).toBeUndefined();
  });
});
