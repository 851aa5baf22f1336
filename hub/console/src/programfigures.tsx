// The statistics view's 双重预防 section (`GET /api/v1/program/figures`):
// hazards found and closed per week, how long closing took, the overdue
// share of open hazards by unit, and the risk points by level. A hub
// without the program answers 404: then the section is not there at all.

import { useMemo } from 'preact/hooks';
import { Chart, type ChartOption } from './chart';
import { useI18n, type Dict, type Lang } from './i18n';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import * as program from './programapi';
import { ProgramSettingsProvider, useUnitName } from './programsettings';
import type { ProgramFigures, RiskLevel } from './programtypes';
import type { Me } from './types';

/** Hazards move by the hour, not the second: this often is enough. */
const POLL_MS = 60_000;
const WEEKS = 8;
const LEVELS: (RiskLevel | 'none')[] = ['red', 'orange', 'yellow', 'blue', 'none'];

const load = (): Promise<ProgramFigures> => program.figures(WEEKS);

export function DualPreventionFigures({ me }: { me: Me }) {
  const { t } = useI18n();
  const w = t.v.program.figures;
  const polled = usePolled(load, POLL_MS);
  // Not running (404), or not answered yet: nothing, rather than a heading that comes and goes.
  if (polled.problem?.status === 404 || (polled.data === null && polled.problem === null)) return null;
  return (
    <ProgramSettingsProvider me={me}>
      <section class="program-figures" aria-labelledby="program-figures-heading" data-testid="program-figures">
        <h3 id="program-figures-heading">{w.heading}</h3>
        {polled.problem !== null && <ProblemNote problem={polled.problem} />}
        {polled.data !== null && <Body f={polled.data} />}
      </section>
    </ProgramSettingsProvider>
  );
}

/** `2026-W49` as `W49` on the axis: eight weeks rarely cross a year. */
const shortWeek = (week: string): string => (/^\d{4}-W\d{1,2}$/.test(week) ? week.slice(5) : week);

function weekChart(f: ProgramFigures, t: Dict): ChartOption {
  const w = t.v.program.figures;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 24, top: 40, bottom: 32, containLabel: true },
    xAxis: { type: 'category', data: f.weeks.map((x) => shortWeek(x.week)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: w.found, type: 'bar', data: f.weeks.map((x) => x.found), itemStyle: { color: '#c24e00' } },
      { name: w.closed, type: 'bar', data: f.weeks.map((x) => x.closed), itemStyle: { color: '#1a9641' } },
    ],
  };
}

// Under an hour in minutes (a hazard fixed on the spot), else in hours.
const hours = (t: Dict, h: number | null): string => {
  if (h === null) return '—';
  const f = t.v.program.figures;
  return h < 1 ? f.minutes((h * 60).toFixed(1)) : f.hours(h.toFixed(1));
};

const percent = (lang: Lang, share: number): string =>
  new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(share);

function Body({ f }: { f: ProgramFigures }) {
  const { t, lang } = useI18n();
  const w = t.v.program.figures;
  const unitName = useUnitName();
  const option = useMemo(() => weekChart(f, t), [f, t]);
  const c = f.time_to_close;
  return (
    <>
      <div class="charts">
        <Chart option={option} label={w.perWeek} testid="chart-hazard-weeks" />
      </div>
      <div class="figure-tables">
        <table class="kpis" data-testid="time-to-close">
          <caption>{w.closeTime(WEEKS)}</caption>
          <tbody>
            <tr>
              <th scope="row">{w.closedCount}</th>
              <td>{c.closed}</td>
            </tr>
            <tr>
              <th scope="row">{w.median}</th>
              <td>{hours(t, c.median_h)}</td>
            </tr>
            <tr>
              <th scope="row">{w.p90}</th>
              <td>{hours(t, c.p90_h)}</td>
            </tr>
          </tbody>
        </table>
        <table class="kpis" data-testid="points-by-level">
          <caption>{w.pointsByLevel}</caption>
          <thead>
            <tr>
              <th scope="col">{w.level}</th>
              <th scope="col">{w.count}</th>
            </tr>
          </thead>
          <tbody>
            {LEVELS.map((l) => (
              <tr key={l} data-level={l}>
                <th scope="row">
                  <span class="level-cell">
                    <span class={`swatch risk-${l}`} aria-hidden="true" />
                    {t.v.map.risk[l]}
                  </span>
                </th>
                <td>{f.points_by_level[l] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-scroll">
        <table class="kpis" data-testid="overdue-by-unit">
          <caption>{w.byUnit}</caption>
          <thead>
            <tr>
              <th scope="col">{w.unit}</th>
              <th scope="col">{w.open}</th>
              <th scope="col">{w.overdue}</th>
              <th scope="col">{w.overdueShare}</th>
            </tr>
          </thead>
          <tbody>
            {f.by_unit.length === 0 && (
              <tr>
                <td colSpan={4} class="empty">
                  {w.noOpen}
                </td>
              </tr>
            )}
            {f.by_unit.map((u) => (
              <tr key={u.unit} class={u.overdue > 0 ? 'overdue' : undefined} data-unit={u.unit}>
                <th scope="row">{u.unit === '-' ? w.noUnit : unitName(u.unit)}</th>
                <td>{u.open}</td>
                <td>{u.overdue}</td>
                <td>{percent(lang, u.overdue_share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
