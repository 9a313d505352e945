import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { BotHarness } from '../helpers/harness.js';
import { scrape, type Exposition } from '../helpers/prometheus.js';

/** The Grafana dashboard shipped in deploy/ queries only metrics SOC Bridge exposes, and imports as Grafana expects. */

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; datasource: { uid: string } }[];
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/soc-bridge-dashboard.json', 'utf8')) as { uid: string; title: string; __inputs: { name: string; pluginId: string }[]; panels: Panel[] };
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** The metric a query's series name stands for: histogram series belong to their family. */
const familyOf = (series: string, exposition: Exposition) => [series, series.replace(/_(bucket|sum|count)$/, '')].find((name) => exposition.type(name) !== undefined);

describe('the Grafana dashboard', () => {
  let bot: BotHarness;
  let exposition: Exposition;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { METRICS_PORT: '0' } });
    exposition = await scrape(bot.app.metricsUrl ?? '');
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('asks for a Prometheus data source on import and uses it in every panel and query', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: '${DS_PROMETHEUS}' });
      for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe('${DS_PROMETHEUS}');
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(dashboard.panels.every((p) => p.gridPos.x + p.gridPos.w <= 24)).toBe(true);
  });

  it('queries only metrics a running SOC Bridge exposes', () => {
    expect(queries.length).toBeGreaterThan(20);
    const unknown = queries.flatMap(({ panel, expr }) =>
      (expr.match(/\b(?:socbridge|process|nodejs)_[a-z0-9_]+/g) ?? []).filter((series) => familyOf(series, exposition) === undefined).map((series) => `${panel}: ${series}`),
    );
    expect(unknown).toEqual([]);
  });

  it('covers what the README says to alert on', () => {
    const all = queries.map((q) => q.expr).join('\n');
    for (const metric of ['socbridge_delivery_oldest_pending_age_seconds', 'socbridge_tenants{status="needs-attention"}', 'socbridge_graph_requests_total{outcome="throttled"}', 'event="global_pauses"']) expect(all).toContain(metric);
  });
});
