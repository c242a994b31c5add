// Inline SVG charts, drawn on the server: stacked bars (throughput by outcome) and lines
// (latency percentiles). No client-side charting code; the overview panel is re-fetched by
// htmx polling and the SVG simply comes back redrawn. Labels go through `html` escaping.
import { html, type SafeHtml } from '../html.js';

export interface Series {
  label: string;
  /** CSS class suffix: ok, warn, bad, info. */
  tone: string;
  values: readonly (number | null)[];
}

const W = 640;
const H = 200;
const LEFT = 48;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 22;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;

/** 1, 2, 5 × 10^k at or above `v`, so axis labels are round numbers. */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const round = (n: number): number => Math.round(n * 10) / 10;

function frame(max: number, xLabels: readonly string[], unit: (v: number) => string, title: string, body: SafeHtml): SafeHtml {
  const ticks = [0, max / 2, max];
  const step = PLOT_W / Math.max(1, xLabels.length);
  const every = Math.max(1, Math.ceil(xLabels.length / 6));
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">
  <title>${title}</title>
  ${ticks.map((t) => {
    const y = round(TOP + PLOT_H - (t / max) * PLOT_H);
    return html`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y}" y2="${y}"></line><text class="axis" x="${LEFT - 6}" y="${y + 4}" text-anchor="end">${unit(t)}</text>`;
  })}
  ${xLabels.map((l, i) => (i % every === 0 ? html`<text class="axis" x="${round(LEFT + i * step + step / 2)}" y="${H - 6}" text-anchor="middle">${l}</text>` : ''))}
  ${body}
</svg>`;
}

export function legend(series: readonly Series[]): SafeHtml {
  return html`<ul class="legend">${series.map((s) => html`<li><span class="swatch s-${s.tone}"></span>${s.label}</li>`)}</ul>`;
}

/** Bars stacked per x position, one colour per series. */
export function stackedBars(series: readonly Series[], xLabels: readonly string[], title: string): SafeHtml {
  const totals = xLabels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceCeil(Math.max(0, ...totals));
  const step = PLOT_W / Math.max(1, xLabels.length);
  const bars: SafeHtml[] = [];
  xLabels.forEach((label, i) => {
    let base = 0;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const h = (v / max) * PLOT_H;
      const y = TOP + PLOT_H - ((base + v) / max) * PLOT_H;
      bars.push(html`<rect class="s-${s.tone}" x="${round(LEFT + i * step + step * 0.1)}" y="${round(y)}" width="${round(step * 0.8)}" height="${round(Math.max(h, 0.5))}"><title>${label} · ${v} ${s.label}</title></rect>`);
      base += v;
    }
  });
  return frame(max, xLabels, (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)), title, html`${bars}`);
}

/** One polyline per series; null values break the line. */
export function lines(series: readonly Series[], xLabels: readonly string[], title: string, unit: (v: number) => string): SafeHtml {
  const max = niceCeil(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const step = PLOT_W / Math.max(1, xLabels.length);
  const paths = series.map((s) => {
    const segments: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) {
        segments.push([]);
        return;
      }
      segments.at(-1)?.push(`${round(LEFT + i * step + step / 2)},${round(TOP + PLOT_H - (v / max) * PLOT_H)}`);
    });
    const dots = s.values.map((v, i) => (v === null ? '' : html`<circle class="s-${s.tone}" cx="${round(LEFT + i * step + step / 2)}" cy="${round(TOP + PLOT_H - (v / max) * PLOT_H)}" r="2.5"><title>${xLabels[i] ?? ''} · ${s.label} ${unit(v)}</title></circle>`));
    return html`${segments.filter((p) => p.length > 1).map((p) => html`<polyline class="line-${s.tone}" points="${p.join(' ')}"></polyline>`)}${dots}`;
  });
  return frame(max, xLabels, unit, title, html`${paths}`);
}
