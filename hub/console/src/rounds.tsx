// 隐患排查: the inspection tasks with this period's round (owed or done),
// the rounds owed now, the missed rounds and the latest rounds. Rounds are
// done on the phone (inspect.tsx).

import { formatMs, useI18n } from './i18n';
import { usePolled } from './polled';
import * as program from './programapi';
import { useUnitName } from './programsettings';
import type { Inspections, Task } from './programtypes';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

const POLL_MS = 30_000;

/** Owed now: a period is running and its round is not in. */
export const owed = (task: Task): boolean => task.period !== null && task.done === null;

export function Rounds({ names }: { names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.program.rounds;
  const polled = usePolled(program.inspections, POLL_MS);
  const data = polled.data;
  return (
    <section class="rounds" aria-labelledby="rounds-heading">
      <ViewHead id="rounds-heading" heading={w.heading} polled={polled} />
      {data !== null && (
        <>
          <TaskTable caption={w.due} tasks={data.tasks.filter(owed)} empty={w.noneDue} names={names} testid="tasks-due" />
          <TaskTable caption={w.tasks} tasks={data.tasks} empty={w.noTasks} names={names} testid="tasks" />
          <MissedTable data={data} names={names} />
          <RecentTable data={data} names={names} />
        </>
      )}
    </section>
  );
}

function TaskTable({ caption, tasks, empty, names, testid }: { caption: string; tasks: Task[]; empty: string; names: ZoneNames; testid: string }) {
  const { t } = useI18n();
  const w = t.v.program.rounds;
  const unitName = useUnitName();
  return (
    <div class="table-scroll">
      <table data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{w.task}</th>
            <th scope="col">{w.point}</th>
            <th scope="col">{w.zone}</th>
            <th scope="col">{w.every}</th>
            <th scope="col">{w.unit}</th>
            <th scope="col">{w.period}</th>
            <th scope="col">{w.state}</th>
          </tr>
        </thead>
        <tbody>
          {tasks.length === 0 && (
            <tr>
              <td colSpan={7} class="empty">
                {empty}
              </td>
            </tr>
          )}
          {tasks.map((k) => (
            <tr key={k.id} class={owed(k) ? 'owed' : undefined}>
              <th scope="row">{k.name}</th>
              <td>{k.point_name ?? k.point}</td>
              <td>{zoneName(names, k.zone)}</td>
              <td>{w.frequencies[k.every] ?? k.every}</td>
              <td>{unitName(k.unit)}</td>
              <td>{k.period?.key ?? w.noPeriod}</td>
              <td>{k.period === null ? '—' : k.done === null ? <strong>{w.owed}</strong> : w.done(k.done)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MissedTable({ data, names }: { data: Inspections; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const w = t.v.program.rounds;
  const taskName = (id: string): string => data.tasks.find((k) => k.id === id)?.name ?? id;
  const unitName = useUnitName();
  return (
    <div class="table-scroll">
      <table data-testid="missed">
        <caption>{w.missed}</caption>
        <thead>
          <tr>
            <th scope="col">{w.task}</th>
            <th scope="col">{w.period}</th>
            <th scope="col">{w.zone}</th>
            <th scope="col">{w.unit}</th>
            <th scope="col">{w.dueBy}</th>
          </tr>
        </thead>
        <tbody>
          {data.missed.length === 0 && (
            <tr>
              <td colSpan={5} class="empty">
                {w.noMissed}
              </td>
            </tr>
          )}
          {data.missed.map((m) => (
            <tr key={m.seq} class="overdue">
              <th scope="row">{taskName(m.task)}</th>
              <td>{m.period}</td>
              <td>{zoneName(names, m.zone)}</td>
              <td>{unitName(m.unit)}</td>
              <td>{formatMs(m.due_ms, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecentTable({ data, names }: { data: Inspections; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const w = t.v.program.rounds;
  const taskName = (id: string): string => data.tasks.find((k) => k.id === id)?.name ?? id;
  return (
    <div class="table-scroll">
      <table data-testid="recent-rounds">
        <caption>{w.recent}</caption>
        <thead>
          <tr>
            <th scope="col">{w.time}</th>
            <th scope="col">{w.task}</th>
            <th scope="col">{w.zone}</th>
            <th scope="col">{w.by}</th>
            <th scope="col">{w.result}</th>
          </tr>
        </thead>
        <tbody>
          {data.rounds.length === 0 && (
            <tr>
              <td colSpan={5} class="empty">
                {w.noRounds}
              </td>
            </tr>
          )}
          {data.rounds.map((r) => {
            const bad = r.items.filter((i) => !i.ok).length;
            return (
              <tr key={r.id}>
                <td>{formatMs(r.time_ms, lang)}</td>
                <th scope="row">
                  {taskName(r.task)} <small>{r.period}</small>
                </th>
                <td>{zoneName(names, r.zone)}</td>
                <td>{r.by ?? '—'}</td>
                <td>
                  {bad === 0 ? w.allOk : <strong>{w.notOk(bad)}</strong>}
                  {r.hazards.length > 0 && ` · ${w.found(r.hazards.length)}`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
