import { describe, expect, it } from '@jest/globals';
import { deriveHandle } from '../../src/onboarding/handle.js';

const HANDLE = /^[a-z0-9][a-z0-9-]{0,39}$/;
const none = () => false;

describe('deriveHandle', () => {
  it('joins the name words and drops legal suffixes', () => {
    expect(deriveHandle('Tailspin Toys', 'tailspintoys.com', none)).toBe('tailspin-toys');
    expect(deriveHandle('Contoso Ltd', 'contoso.com', none)).toBe('contoso');
    expect(deriveHandle('Wide World Importers, Inc.', 'x.com', none)).toBe('wide-world-importers');
    expect(deriveHandle('Ben & Jerry GmbH', 'x.com', none)).toBe('ben-and-jerry');
  });

  it('folds accents and falls back to the domain when no letters remain', () => {
    expect(deriveHandle('Société Générale', 'sg.fr', none)).toBe('societe-generale');
    expect(deriveHandle('株式会社', 'example.co.jp', none)).toBe('example');
  });

  it('is unique, never "all", and always a valid handle', () => {
    const taken = new Set(['tailspin-toys', 'tailspin-toys-2']);
    expect(deriveHandle('Tailspin Toys', 'x.com', (h) => taken.has(h))).toBe('tailspin-toys-3');
    expect(deriveHandle('All', 'x.com', none)).toBe('all-2');
    const name = 'A very long customer name that goes on and on and on forever';
    const first = deriveHandle(name, 'x.com', none);
    expect(first).toMatch(HANDLE);
    expect(first.length).toBeLessThanOrEqual(40);
    const second = deriveHandle(name, 'x.com', (h) => h === first);
    expect(second).toMatch(HANDLE);
    expect(second).toMatch(/-2$/);
    expect(second.length).toBeLessThanOrEqual(40);
  });
});
