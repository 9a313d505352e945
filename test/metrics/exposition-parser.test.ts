import { describe, expect, it } from '@jest/globals';
import { Exposition } from '../helpers/prometheus.js';

/** The tests' reader of the text format must itself be right, or the metrics tests prove nothing. */

const TEXT = [
  '# HELP jobs_total Jobs done, with "quotes" and a \\\\ backslash.',
  '# TYPE jobs_total counter',
  'jobs_total{kind="a",note="say \\"hi\\"\\nbye \\\\ ok"} 3',
  'jobs_total{kind="b"} 1.5e2',
  '# TYPE temperature gauge',
  'temperature -Inf',
  '# TYPE lag gauge',
  'lag{at="mean"} Nan',
  'lag{at="max"} +inf',
  '# A comment line',
  '',
  '# TYPE wait_seconds histogram',
  'wait_seconds_bucket{le="0.1",queue="x"} 1',
  'wait_seconds_bucket{le="1",queue="x"} 2',
  'wait_seconds_bucket{le="+Inf",queue="x"} 3',
  'wait_seconds_sum{queue="x"} 4.5',
  'wait_seconds_count{queue="x"} 3',
  'wait_seconds_bucket{le="0.1",queue="y"} 0',
  'wait_seconds_bucket{le="1",queue="y"} 0',
  'wait_seconds_bucket{le="+Inf",queue="y"} 1',
  'wait_seconds_sum{queue="y"} 9',
  'wait_seconds_count{queue="y"} 1',
].join('\n');

describe('the exposition reader', () => {
  const exposition = Exposition.parse(TEXT);

  it('reads types, help text and values with escaped label values', () => {
    expect(exposition.type('jobs_total')).toBe('counter');
    expect(exposition.help('jobs_total')).toBe('Jobs done, with "quotes" and a \\ backslash.');
    expect(exposition.value('jobs_total', { kind: 'a', note: 'say "hi"\nbye \\ ok' })).toBe(3);
    expect(exposition.value('jobs_total', { kind: 'b' })).toBe(150);
    expect(exposition.value('jobs_total', { kind: 'a' })).toBeUndefined();
    expect(exposition.value('temperature')).toBe(-Infinity);
    // Prometheus reads floats as Go does: NaN and Inf in any case (prom-client writes "Nan").
    expect(exposition.value('lag', { at: 'mean' })).toBeNaN();
    expect(exposition.value('lag', { at: 'max' })).toBe(Infinity);
  });

  it('keeps each labelled histogram series apart', () => {
    expect(exposition.histogram('wait_seconds', { queue: 'x' })).toEqual({ labels: { queue: 'x' }, buckets: new Map([[0.1, 1], [1, 2], [Infinity, 3]]), sum: 4.5, count: 3 });
    expect(exposition.histogram('wait_seconds', { queue: 'y' })?.sum).toBe(9);
    expect(exposition.histograms('wait_seconds')).toHaveLength(2);
  });

  it.each([
    ['a sample of no declared family', 'orphan 1'],
    ['a value that is no number', '# TYPE a gauge\na one'],
    ['an unterminated label value', '# TYPE a gauge\na{x="1} 1'],
    ['an unknown escape', '# TYPE a gauge\na{x="\\t"} 1'],
    ['a repeated series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2'],
    ['an unknown type', '# TYPE a meter\na 1'],
  ])('refuses %s', (_what, text) => {
    expect(() => Exposition.parse(text)).toThrow();
  });

  it('refuses histograms whose buckets are not cumulative or do not end at the count', () => {
    const head = '# TYPE h histogram\n';
    expect(() => Exposition.parse(`${head}h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1`).histograms('h')).toThrow('not cumulative');
    expect(() => Exposition.parse(`${head}h_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1`).histograms('h')).toThrow('not the count');
  });
});
