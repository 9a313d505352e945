import type { CardColor } from './elements.js';
import type { Fact } from './routing-cards.js';

/**
 * A colour of Teams' chart palette, by name (Adaptive Card charts take no other): the host picks
 * the shade for its theme. Only the colours SOC Bridge uses are listed.
 */
export type ChartColor = 'attention' | 'warning' | 'good' | 'neutral' | 'categoricalBlue' | 'categoricalLightBlue' | 'categoricalPurple' | 'divergingGray';

/** A slice of a donut or pie chart. */
export interface ChartSlice {
  legend: string;
  value: number;
  color: ChartColor;
}

/** A bar of a bar chart. */
export interface ChartBar {
  x: string;
  y: number;
}

/** One series of a grouped (here: stacked) bar chart. */
export interface ChartSeries {
  legend: string;
  values: ChartBar[];
  color: ChartColor;
}

/** A chart section: its heading, the chart's data, and the facts its fallback shows where charts do not render. */
export interface ChartSection<D> {
  title: string;
  data: D[];
  facts: Fact[];
  /**
   * The chart's numbers in one line of ordinary text under it: Teams draws a chart's own text
   * (legend, axis labels) in colours a card cannot set, which some themes and previews render
   * dark on dark; this line reads in every theme.
   */
  summary: string;
}

/** An alert as a row that opens its card (as on alert lists). */
export interface StatsAlertRow {
  severityLabel: string;
  severityColor: CardColor;
  title: string;
  line: string;
  actionData: Record<string, unknown> & { verb: string };
}

/** One customer's row in the per-customer table of `stats all` (and the hand-over card). */
export interface CustomerStatsRow {
  name: string;
  alerts: string;
  open: string;
  mtta: string;
  mttr: string;
}

/**
 * `stats` and the morning summary of a linked channel: volume by severity (donut), by period and
 * severity (stacked bars), by service source, top categories and devices (bars), open against
 * resolved (pie), MTTA and MTTR with their definitions, where each number comes from; for many
 * customers a table per customer; for a summary the open high and medium alerts. Every chart has
 * a FactSet fallback for clients that draw no charts.
 */
export interface StatsCardData {
  title: string;
  subtitle: string;
  notices: { color: CardColor; text: string }[];
  /** One line when no alert was created in the period. */
  empty: string[];
  severity: ChartSection<ChartSlice>[];
  trend: ChartSection<ChartSeries>[];
  bars: ChartSection<ChartBar>[];
  states: ChartSection<ChartSlice>[];
  /** MTTA and MTTR facts (median, p90, how many measured). */
  timing: Fact[];
  definitions: string[];
  /** Per customer (`stats all`), most alerts first. */
  customers: CustomerStatsRow[];
  /** "…and 12 more customers" when the table is cut. */
  customersMore: string[];
  /** Summary only: the open alerts' heading, and each alert as a row opening its card. */
  openTitle: string[];
  openAlerts: StatsAlertRow[];
  /** Where each number comes from. */
  sources: string[];
  failures: string[];
}

/** One customer's open alerts by severity, a row of the hand-over table. */
export interface HandoverCustomerRow {
  name: string;
  high: string;
  medium: string;
  low: string;
  other: string;
}

/**
 * The SOC channel's shift hand-over across customers: open alerts by severity per customer, the
 * unowned high-severity alerts, the oldest open alerts (each row opening its card), and the
 * channels and consents that need someone.
 */
export interface HandoverCardData {
  title: string;
  subtitle: string;
  notices: { color: CardColor; text: string }[];
  customers: HandoverCustomerRow[];
  customersMore: string[];
  unownedTitle: string;
  unowned: StatsAlertRow[];
  oldestTitle: string;
  oldest: StatsAlertRow[];
  /** Consents, customers and channels needing attention; one line saying none when all is well. */
  attention: string[];
  failures: string[];
  sources: string[];
}
