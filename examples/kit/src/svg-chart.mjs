/**
 * A small, dependency-free SVG line chart: one or more series of (x, y) points on shared axes, with
 * ticks, grid lines and a legend. Enough for a learning curve; not a general plotting library.
 */

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

function escapeXml(text) {
  return String(text).replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c],
  );
}

function niceTicks(min, max, count) {
  if (max === min) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/**
 * @typedef {object} ChartSeries One line of the chart.
 * @property {string} name Legend label.
 * @property {{ x: number, y: number }[]} points Vertices, in drawing order.
 * @property {string} [color] Stroke colour; defaults to a palette entry by position.
 * @property {boolean} [dashed] Dashed stroke, for noisier per-batch curves.
 * @property {boolean} [markers] A dot on every point, for sparse evaluation curves.
 */

/**
 * Renders `series` as an SVG document string. `yDomain` fixes the y range (e.g. [0, 1] for
 * accuracy); the x range spans the data.
 * @param {{ title: string, xLabel: string, yLabel: string, series: ChartSeries[], yDomain?: [number, number], width?: number, height?: number }} options
 * @returns {string}
 */
export function lineChartSvg({ title, xLabel, yLabel, series, yDomain, width = 720, height = 420 }) {
  if (!Array.isArray(series) || series.length === 0)
    throw new Error('lineChartSvg: `series` must be a non-empty array.');
  const margin = { top: 48, right: 170, bottom: 56, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs, xMin + 1);
  const [yMin, yMax] = yDomain ?? [Math.min(...ys), Math.max(...ys)];
  const sx = (x) => Number((margin.left + ((x - xMin) / (xMax - xMin)) * plotW).toFixed(1));
  const sy = (y) => Number((margin.top + plotH - ((y - yMin) / (yMax - yMin || 1)) * plotH).toFixed(1));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left + plotW / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const y of niceTicks(yMin, yMax, 5)) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 8}" y="${sy(y) + 4}" text-anchor="end">${y}</text>`,
    );
  }
  for (const x of niceTicks(xMin, xMax, 8)) {
    parts.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${sx(x)}" y="${margin.top + plotH + 19}" text-anchor="middle">${x}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, index) => {
    const color = s.color ?? COLORS[index % COLORS.length];
    const path = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
    );
    if (s.markers) {
      for (const p of s.points)
        parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${color}"/>`);
    }
    const ly = margin.top + 10 + index * 20;
    const lx = margin.left + plotW + 14;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
