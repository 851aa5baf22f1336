// One ECharts chart in a box: made when the box is, given a new option when
// the figures or the language change, resized with the box, disposed with it.
// Only the chart kinds and parts the console draws are bundled.

import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from './i18n';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({ option, label, testid }: { option: ChartOption; label: string; testid: string }) {
  const { lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const shown = useRef(option);
  shown.current = option;

  // Made again when the language changes: its descriptions for screen readers are in its locale.
  useEffect(() => {
    if (box.current === null) return undefined;
    const c = echarts.init(box.current, null, { renderer: 'canvas', locale: lang === 'en' ? 'EN' : 'ZH' });
    chart.current = c;
    c.setOption({ aria: { enabled: true }, animation: false, ...shown.current }, true);
    const resized = new ResizeObserver(() => c.resize());
    resized.observe(box.current);
    return () => {
      resized.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [lang]);

  useEffect(() => {
    // The chart describes itself to screen readers (ECharts' aria component).
    chart.current?.setOption({ aria: { enabled: true }, animation: false, ...option }, true);
  }, [option]);

  return (
    <figure class="chart">
      <figcaption>{label}</figcaption>
      <div class="chart-box" ref={box} data-testid={testid} />
    </figure>
  );
}
