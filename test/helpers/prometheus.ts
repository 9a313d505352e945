/*
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: HELP and
 * TYPE lines, samples with escaped label values, and histograms regrouped by their labels less
 * `le`. Anything outside the format (a sample of no declared family, a bad escape, a repeated
 * series, buckets that are not cumulative) is an error, so a test cannot pass on a malformed
 * exposition. (The one parser on npm, parse-prometheus-text-format, folds labelled histograms
 * into one series.)
 */

type Labels = Readonly<Record<string, string>>;

/** One histogram series: cumulative counts by upper bound (`le`), its sum and count. */
export interface HistogramSeries {
  readonly labels: Labels;
  readonly buckets: ReadonlyMap<number, number>;
  readonly sum: number;
  readonly count: number;
}

type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

interface Family {
  type: FamilyType;
  help: string;
  readonly samples: Sample[];
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const TYPES = new Set<FamilyType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A float as Prometheus reads one (Go's ParseFloat: NaN and Inf in any case, prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return NaN;
  const infinite = /^([-+]?)inf(inity)?$/i.exec(text);
  if (infinite) return infinite[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`not a sample value: ${JSON.stringify(text)} in ${line}`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** `name{labels} value [timestamp]`, read left to right. */
function parseSample(line: string): Sample {
  let at = 0;
  const take = (pattern: RegExp, what: string): string => {
    pattern.lastIndex = at;
    const match = pattern.exec(line);
    if (!match) throw new Error(`expected ${what} at column ${at + 1} of ${line}`);
    at = pattern.lastIndex;
    return match[0];
  };
  const name = take(NAME, 'a metric name');
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const label = take(LABEL_NAME, 'a label name');
      if (line.slice(at, at + 2) !== '="') throw new Error(`expected =" after label ${label} in ${line}`);
      at += 2;
      let value = '';
      for (;;) {
        const c = line[at++];
        if (c === undefined) throw new Error(`unterminated label value in ${line}`);
        if (c === '"') break;
        if (c === '\\') {
          const escaped = line[at++];
          if (escaped === '\\' || escaped === '"') value += escaped;
          else if (escaped === 'n') value += '\n';
          else throw new Error(`bad escape \\${escaped ?? ''} in ${line}`);
        } else value += c;
      }
      if (label in labels) throw new Error(`label ${label} twice in ${line}`);
      labels[label] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new Error(`expected , or } at column ${at + 1} of ${line}`);
    }
    at++;
  }
  const rest = line.slice(at);
  const parts = rest.trim().split(/[ \t]+/);
  if (!/^[ \t]/.test(rest) || parts.length < 1 || parts.length > 2) throw new Error(`expected a value (and an optional timestamp) in ${line}`);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`bad timestamp in ${line}`);
  return { name, labels, value: parseValue(parts[0] ?? '', line) };
}

/** The family a sample name belongs to, given the declared families. */
function familyOf(name: string, families: ReadonlyMap<string, Family>): Family | undefined {
  const exact = families.get(name);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const family = families.get(name.slice(0, -suffix.length));
    if (family?.type === 'histogram' || (family?.type === 'summary' && suffix !== '_bucket')) return family;
  }
  return undefined;
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const sameLabels = (a: Labels, b: Labels) => keyOf(a) === keyOf(b);

function histogramSeries(familyName: string, family: Family): HistogramSeries[] {
  const series = new Map<string, { labels: Labels; buckets: Map<number, number>; sum?: number; count?: number }>();
  const entry = (labels: Labels) => {
    const key = keyOf(labels);
    let found = series.get(key);
    if (!found) series.set(key, (found = { labels, buckets: new Map() }));
    return found;
  };
  for (const sample of family.samples) {
    if (sample.name === `${familyName}_bucket`) {
      const { le, ...labels } = sample.labels;
      if (le === undefined) throw new Error(`${familyName}_bucket without le`);
      entry(labels).buckets.set(parseValue(le, `le of ${familyName}`), sample.value);
    } else if (sample.name === `${familyName}_sum`) entry(sample.labels).sum = sample.value;
    else entry(sample.labels).count = sample.value;
  }
  return [...series.values()].map(({ labels, buckets, sum, count }) => {
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    if (sum === undefined || count === undefined || bounds.at(-1) !== Infinity) throw new Error(`${familyName}${JSON.stringify(labels)} lacks its sum, count or +Inf bucket`);
    bounds.forEach((bound, i) => {
      if (i > 0 && (buckets.get(bound) ?? 0) < (buckets.get(bounds[i - 1] ?? 0) ?? 0)) throw new Error(`${familyName}${JSON.stringify(labels)}: buckets are not cumulative`);
    });
    if (buckets.get(Infinity) !== count) throw new Error(`${familyName}${JSON.stringify(labels)}: the +Inf bucket is not the count`);
    return { labels, buckets: new Map(bounds.map((b) => [b, buckets.get(b) ?? 0])), sum, count };
  });
}

/** A parsed exposition. Lookups match label sets exactly. */
export class Exposition {
  private constructor(private readonly families: ReadonlyMap<string, Family>) {}

  static parse(text: string): Exposition {
    const families = new Map<string, Family>();
    const seen = new Set<string>();
    const declare = (name: string) => {
      let family = families.get(name);
      if (!family) families.set(name, (family = { type: 'untyped', help: '', samples: [] }));
      return family;
    };
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s(.*))?$/.exec(line);
      if (meta) {
        const [, kind, name = '', rest = ''] = meta;
        if (kind === 'HELP') declare(name).help = unescapeHelp(rest);
        else if (TYPES.has(rest.trim() as FamilyType)) declare(name).type = rest.trim() as FamilyType;
        else throw new Error(`unknown metric type in ${line}`);
        continue;
      }
      if (line.startsWith('#')) continue;
      const sample = parseSample(line);
      const family = familyOf(sample.name, families);
      if (!family) throw new Error(`sample of no declared family: ${line}`);
      const series = `${sample.name}${keyOf(sample.labels)}`;
      if (seen.has(series)) throw new Error(`series twice: ${line}`);
      seen.add(series);
      family.samples.push(sample);
    }
    return new Exposition(families);
  }

  names(): string[] {
    return [...this.families.keys()];
  }

  type(name: string): FamilyType | undefined {
    return this.families.get(name)?.type;
  }

  help(name: string): string | undefined {
    return this.families.get(name)?.help;
  }

  /** Every sample of a counter or gauge family (none for an unknown family). */
  samples(name: string): readonly { labels: Labels; value: number }[] {
    return (this.families.get(name)?.samples ?? []).filter((s) => s.name === name).map(({ labels, value }) => ({ labels, value }));
  }

  /** The value of the series with exactly these labels; undefined when there is no such series. */
  value(name: string, labels: Labels = {}): number | undefined {
    return this.samples(name).find((s) => sameLabels(s.labels, labels))?.value;
  }

  /** Every series of a histogram family. */
  histograms(name: string): readonly HistogramSeries[] {
    const family = this.families.get(name);
    if (!family) return [];
    if (family.type !== 'histogram') throw new Error(`${name} is a ${family.type}, not a histogram`);
    return histogramSeries(name, family);
  }

  /** The histogram series with exactly these labels. */
  histogram(name: string, labels: Labels = {}): HistogramSeries | undefined {
    return this.histograms(name).find((h) => sameLabels(h.labels, labels));
  }
}

/** GETs a metrics URL (with a bearer token when given); fails unless it is a 200 text exposition, else parses it. */
export async function scrape(url: string, token?: string): Promise<Exposition> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`scrape of ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain') || !type.includes('version=0.0.4')) throw new Error(`scrape of ${url} is not the Prometheus text format: ${type}`);
  return Exposition.parse(text);
}
