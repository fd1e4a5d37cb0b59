import { escapeHtml, num } from '../html/html';

/**
 * Charts as inline SVG strings, made by pure functions: nothing runs in the browser, the PDF renderer
 * draws them like any other markup, and a test can read the geometry off the string. Coordinates are
 * rounded to 0.1 so that the output is stable.
 */

const r1 = (value: number) => Math.round(value * 10) / 10;
const FONT = `font-family="Noto Sans CJK SC, sans-serif"`;

export interface Bar {
  label: string;
  value: number;
  /** Drawn in red (a flagged unit, a deduction). */
  alert?: boolean;
}

export interface BarChartOptions {
  /** Total width in px (default 640). */
  width?: number;
  /** Width of the label column on the left (default 120). */
  labelWidth?: number;
  /** Height of one bar and the gap below it (defaults 16 and 6). */
  barHeight?: number;
  gap?: number;
  /** The value at the right end of the axis (default: the largest value, at least 1). */
  max?: number;
  /** Accessible title, also shown as a caption. */
  title: string;
}

/**
 * A horizontal bar chart, one bar per entry in the order given, from zero to the value (negative
 * values are drawn as zero-width bars; the number beside each bar is the true value).
 */
export function barChart(bars: readonly Bar[], options: BarChartOptions): string {
  const width = options.width ?? 640;
  const labelWidth = options.labelWidth ?? 120;
  const barHeight = options.barHeight ?? 16;
  const gap = options.gap ?? 6;
  const valueWidth = 56;
  const top = 22;
  const plot = width - labelWidth - valueWidth;
  const max = options.max ?? Math.max(1, ...bars.map((b) => b.value));
  const height = top + bars.length * (barHeight + gap) + 4;
  const parts = bars.map((bar, i) => {
    const y = top + i * (barHeight + gap);
    const w = max <= 0 ? 0 : (Math.max(0, Math.min(bar.value, max)) / max) * plot;
    const fill = bar.alert ? '#c62828' : '#1f5fa8';
    return (
      `<text x="${labelWidth - 6}" y="${r1(y + barHeight * 0.75)}" text-anchor="end" font-size="11" ${FONT}>${escapeHtml(bar.label)}</text>` +
      `<rect class="bar" x="${labelWidth}" y="${y}" width="${r1(w)}" height="${barHeight}" fill="${fill}"><title>${escapeHtml(`${bar.label}：${num(bar.value)}`)}</title></rect>` +
      `<text x="${r1(labelWidth + w + 4)}" y="${r1(y + barHeight * 0.75)}" font-size="11" ${FONT}>${num(bar.value)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeHtml(options.title)}</title>` +
    `<text x="0" y="14" font-size="12" font-weight="bold" ${FONT}>${escapeHtml(options.title)}</text>` +
    `<line x1="${labelWidth}" y1="${top - 2}" x2="${labelWidth}" y2="${height - 4}" stroke="#000"/>` +
    parts.join('') +
    `</svg>`
  );
}

export interface LineSeries {
  name: string;
  /** One value per x label; null leaves a gap. */
  values: ReadonlyArray<number | null>;
  color: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  width?: number;
  height?: number;
  /** Top of the y axis (default: 100, or the largest value rounded up to a multiple of 25). */
  yMax?: number;
  /** Appended to the y tick labels (e.g. '%'). */
  unit?: string;
}

/** The x coordinate of point `i` of `n` across the plot [left, right]. */
export function xAt(i: number, n: number, left: number, right: number): number {
  return n <= 1 ? (left + right) / 2 : left + (i * (right - left)) / (n - 1);
}

/**
 * A line chart over shared x labels (months), one polyline per run of non-null values of each
 * series, a dot at each point, y ticks every quarter of the axis and a legend.
 */
export function lineChart(
  xLabels: readonly string[],
  series: readonly LineSeries[],
  options: LineChartOptions,
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const left = 44;
  const right = width - 12;
  const top = 40;
  const bottom = height - 26;
  const largest = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const yMax = options.yMax ?? Math.max(100, Math.ceil(largest / 25) * 25);
  const yAt = (v: number) => bottom - (Math.max(0, Math.min(v, yMax)) / yMax) * (bottom - top);
  const unit = options.unit ?? '';
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = yMax * f;
    const y = r1(yAt(v));
    return (
      `<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#ccc"/>` +
      `<text x="${left - 4}" y="${r1(y + 4)}" text-anchor="end" font-size="10" ${FONT}>${num(v)}${escapeHtml(unit)}</text>`
    );
  });
  const labels = xLabels.map(
    (label, i) =>
      `<text x="${r1(xAt(i, xLabels.length, left, right))}" y="${bottom + 16}" text-anchor="middle" font-size="10" ${FONT}>${escapeHtml(label)}</text>`,
  );
  const lines = series.map((s) => {
    const runs: string[][] = [];
    let run: string[] = [];
    const dots: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (run.length > 0) runs.push(run);
        run = [];
        return;
      }
      const point = `${r1(xAt(i, xLabels.length, left, right))},${r1(yAt(v))}`;
      run.push(point);
      const [x, y] = point.split(',');
      dots.push(
        `<circle cx="${x}" cy="${y}" r="2.5" fill="${s.color}"><title>${escapeHtml(`${s.name} ${xLabels[i] ?? ''}：${num(v)}${unit}`)}</title></circle>`,
      );
    });
    if (run.length > 0) runs.push(run);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    return (
      runs
        .map(
          (points) =>
            `<polyline class="series" data-series="${escapeHtml(s.name)}" points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
        )
        .join('') + dots.join('')
    );
  });
  const legend = series.map((s, i) => {
    const x = left + i * 150;
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    return (
      `<line x1="${x}" y1="26" x2="${x + 24}" y2="26" stroke="${s.color}" stroke-width="2"${dash}/>` +
      `<text x="${x + 30}" y="30" font-size="11" ${FONT}>${escapeHtml(s.name)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeHtml(options.title)}</title>` +
    `<text x="0" y="14" font-size="12" font-weight="bold" ${FONT}>${escapeHtml(options.title)}</text>` +
    ticks.join('') +
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#000"/>` +
    labels.join('') +
    lines.join('') +
    legend.join('') +
    `</svg>`
  );
}
