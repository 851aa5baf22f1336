// The command centre's figures: the seed's six dimensions per day, events
// and alarms per day, by zone and kind, how fast alarms were acknowledged,
// and the alarm KPIs; a range of the site's days, and every figure as CSV.

import { useMemo, useState } from 'preact/hooks';
import * as api from './api';
import { Chart, type ChartOption } from './chart';
import { csv, download, type Cell } from './csv';
import { kindName, useI18n, type Dict } from './i18n';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import { DualPreventionFigures } from './programfigures';
import type { Dimension, Kpis, Level, Me, Report, StatisticsPage } from './types';
import { zoneName, type ZoneNames } from './zones';

/** The figures of today grow: this often they are fetched again. */
const POLL_MS = 30_000;

const DIMENSIONS: Dimension[] = ['personal', 'environment', 'active_defence', 'special', 'operation', 'mechanism', 'other'];
const DIMENSION_COLOURS: Record<Dimension, string> = {
  personal: '#d7191c',
  environment: '#1a9641',
  active_defence: '#2c7bb6',
  special: '#f07c00',
  operation: '#7b3294',
  mechanism: '#008080',
  other: '#9aa5b1',
};
const LEVELS: Level[] = ['red', 'orange', 'yellow', 'blue'];

type Range = { from: string; to: string };

/** `to` and the days before it, `n` in all, as `YYYY-MM-DD`. */
function lastDays(to: string, n: number): Range {
  const end = Date.parse(`${to}T00:00:00Z`);
  return { from: new Date(end - (n - 1) * 86_400_000).toISOString().slice(0, 10), to };
}

export function Statistics({ me, names }: { me: Me; names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.stats;
  const [range, setRange] = useState<Range | null>(null);
  const [draft, setDraft] = useState<Range | null>(null);
  const [bad, setBad] = useState(false);
  const load = useMemo(() => () => Promise.all([api.statistics(range), api.kpis()]), [range]);
  const polled = usePolled<[StatisticsPage, Kpis]>(load, POLL_MS);
  const page = polled.data?.[0] ?? null;
  const report = page !== null && page.ready ? page.statistics : null;
  const shown = draft ?? (report === null ? null : { from: report.from, to: report.to });

  const apply = (r: Range): void => {
    if (r.to < r.from) {
      setBad(true);
      return;
    }
    setBad(false);
    setDraft(r);
    setRange(r);
  };

  return (
    <section class="view statistics" aria-labelledby="stats-heading">
      <div class="pane-head">
        <h2 id="stats-heading">{w.heading}</h2>
        {report !== null && (
          <button type="button" onClick={() => download(`twinwall-statistics-${report.from}-${report.to}.csv`, csv(rows(report, t, names)))}>
            {w.exportCsv}
          </button>
        )}
      </div>
      {shown !== null && (
        <form
          class="range"
          onSubmit={(e) => {
            e.preventDefault();
            apply(shown);
          }}
        >
          <label>
            {w.from} <input type="date" value={shown.from} required onInput={(e) => setDraft({ ...shown, from: e.currentTarget.value })} />
          </label>
          <label>
            {w.to} <input type="date" value={shown.to} required onInput={(e) => setDraft({ ...shown, to: e.currentTarget.value })} />
          </label>
          <button type="submit">{w.show}</button>
          {[7, 30].map((n) => (
            <button key={n} type="button" class="quiet" onClick={() => apply(lastDays(report?.to ?? shown.to, n))}>
              {w.lastDays(n)}
            </button>
          ))}
          {bad && (
            <p class="problem" role="alert">
              {w.badRange}
            </p>
          )}
        </form>
      )}
      {polled.problem !== null && <ProblemNote problem={polled.problem} />}
      {polled.data === null && polled.problem === null && <p role="status">{t.loading}</p>}
      {page !== null && !page.ready && <p role="status">{w.rebuilding(page.replay.read, page.replay.of)}</p>}
      {report !== null && <Figures report={report} kpis={polled.data?.[1] ?? null} names={names} />}
      <DualPreventionFigures me={me} />
    </section>
  );
}

function Figures({ report: r, kpis, names }: { report: Report; kpis: Kpis | null; names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.stats;
  const options = useMemo(() => charts(r, t, names), [r, t, names]);
  return (
    <>
      <ul class="dimension-totals" aria-label={w.byDimension}>
        {DIMENSIONS.filter((d) => d !== 'other' || (r.dimensions.find((x) => x.id === d)?.total ?? 0) > 0).map((d) => (
          <li key={d} data-dimension={d}>
            <span class={`dim-bar dim-${d}`} aria-hidden="true" />
            <span class="dim-name">{w.dimensions[d]}</span>
            <strong class="dim-total">{r.dimensions.find((x) => x.id === d)?.total ?? 0}</strong>
          </li>
        ))}
        <li class="totals">
          <span class="dim-name">{w.alarms}</span>
          <strong class="dim-total">{r.alarms.total}</strong>
          <span class="dim-name">{w.acknowledged}</span>
          <strong class="dim-total">{r.alarms.acknowledged}</strong>
        </li>
      </ul>
      <div class="charts">
        <Chart option={options.dimensions} label={w.byDimension} testid="chart-dimensions" />
        <Chart option={options.alarmsPerDay} label={`${w.alarmsPerDay} · ${w.ackMedian}`} testid="chart-alarms" />
        <Chart option={options.alarmsByZone} label={`${w.alarms} · ${w.byZone}`} testid="chart-alarm-zones" />
        <Chart option={options.eventsByKind} label={`${w.events} · ${w.byKind}`} testid="chart-event-kinds" />
      </div>
      {kpis !== null && <KpiTable kpis={kpis} />}
    </>
  );
}

interface Options {
  dimensions: ChartOption;
  alarmsPerDay: ChartOption;
  alarmsByZone: ChartOption;
  eventsByKind: ChartOption;
}

const TOP = 12;

function charts(r: Report, t: Dict, names: ZoneNames): Options {
  const w = t.v.stats;
  const days = r.days.map((d) => d.slice(5));
  const grid = { left: 48, right: 24, top: 40, bottom: 32, containLabel: true };
  const zones = r.alarms.by_zone.slice(0, TOP).reverse();
  const kinds = r.events.by_kind.slice(0, TOP).reverse();
  return {
    dimensions: {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', minInterval: 1 },
      series: r.dimensions
        .filter((d) => d.total > 0 || d.id !== 'other')
        .map((d) => ({
          name: w.dimensions[d.id],
          type: 'bar',
          stack: 'events',
          data: d.per_day,
          itemStyle: { color: DIMENSION_COLOURS[d.id] },
        })),
    },
    alarmsPerDay: {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: days },
      yAxis: [
        { type: 'value', name: w.alarms, minInterval: 1 },
        { type: 'value', name: w.seconds },
      ],
      series: [
        { name: w.alarms, type: 'bar', data: r.alarms.per_day, itemStyle: { color: '#b3121b' } },
        { name: w.ackMedian, type: 'line', yAxisIndex: 1, data: r.alarms.ack_median_s_per_day, connectNulls: true },
      ],
    },
    alarmsByZone: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid,
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: zones.map((z) => zoneName(names, z.name)) },
      series: [{ name: w.alarms, type: 'bar', data: zones.map((z) => z.n), itemStyle: { color: '#c24e00' } }],
    },
    eventsByKind: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid,
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: kinds.map((k) => kindName(t, k.kind)) },
      series: [
        {
          name: w.events,
          type: 'bar',
          data: kinds.map((k) => ({ value: k.n, itemStyle: { color: DIMENSION_COLOURS[k.dimension] } })),
        },
      ],
    },
  };
}

const secs = (v: number | null): string => (v === null ? '—' : v < 120 ? `${v.toFixed(1)} s` : `${(v / 60).toFixed(1)} min`);

function KpiTable({ kpis }: { kpis: Kpis }) {
  const { t } = useI18n();
  const w = t.v.stats;
  return (
    <table class="kpis" data-testid="kpis">
      <caption>{w.kpis}</caption>
      <thead>
        <tr>
          <th scope="col">{w.kpiLevel}</th>
          <th scope="col">{w.kpiAlarms}</th>
          <th scope="col">{w.kpiAckMedian}</th>
          <th scope="col">{w.kpiAckP90}</th>
          <th scope="col">{w.kpiCloseMedian}</th>
        </tr>
      </thead>
      <tbody>
        {LEVELS.map((l) => {
          const g = kpis.kpis.by_level[l];
          if (g === undefined) return null;
          return (
            <tr key={l}>
              <th scope="row">
                <span class={`level lvl-${l}`}>{t.levels[l]}</span>
              </th>
              <td>{g.alarms}</td>
              <td>{secs(g.acknowledge.median_s)}</td>
              <td>{secs(g.acknowledge.p90_s)}</td>
              <td>{secs(g.close.median_s)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Every figure of the report, one table after another, headed by what it is. */
function rows(r: Report, t: Dict, names: ZoneNames): Cell[][] {
  const w = t.v.stats;
  const out: Cell[][] = [[w.heading, r.from, r.to, `UTC${r.utc_offset_minutes >= 0 ? '+' : ''}${r.utc_offset_minutes / 60}`], []];
  out.push([w.day, ...r.dimensions.map((d) => w.dimensions[d.id]), w.events, w.alarms, `${w.ackMedian} (${w.seconds})`]);
  r.days.forEach((day, i) => {
    out.push([
      day,
      ...r.dimensions.map((d) => d.per_day[i] ?? 0),
      r.events.per_day[i] ?? 0,
      r.alarms.per_day[i] ?? 0,
      r.alarms.ack_median_s_per_day[i] ?? null,
    ]);
  });
  out.push([], [`${w.events} · ${w.byZone}`, w.count]);
  for (const z of r.events.by_zone) out.push([zoneName(names, z.name), z.n]);
  out.push([], [`${w.events} · ${w.byKind}`, w.byDimension, w.count]);
  for (const k of r.events.by_kind) out.push([kindName(t, k.kind), w.dimensions[k.dimension], k.n]);
  out.push([], [`${w.alarms} · ${w.byZone}`, w.count]);
  for (const z of r.alarms.by_zone) out.push([zoneName(names, z.name), z.n]);
  out.push([], [`${w.alarms} · ${w.byKind}`, w.count]);
  for (const k of r.alarms.by_kind) out.push([kindName(t, k.name), k.n]);
  out.push([], [`${w.alarms} · ${w.byLevel}`, w.count]);
  for (const l of r.alarms.by_level) out.push([t.levels[l.name as Level] ?? l.name, l.n]);
  return out;
}
