/**
 * Learning curves as files a README can show: a vega-lite spec, compiled and rendered to SVG by vega's
 * headless view (no canvas, no browser), then rasterized to PNG by resvg. GitHub renders the PNG the
 * same everywhere, and the `.vl.json` next to it reopens the chart in the vega editor.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const SOLID = [1, 0];
const DASHED = [6, 4];
// resvg maps the generic `sans-serif` to Arial, absent on most Linux machines, so common sans fonts are
// named first. Unquoted on purpose: resvg 2.6 ignores quoted family names.
const FONT = 'Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif';

/** The palette entry of the `index`-th series, cycling. */
function paletteColor(index: number): string {
  // The modulo keeps the index inside the palette.
  return COLORS[index % COLORS.length] as string;
}

/** The layers of a layered vega-lite spec (vega-lite exports no name for it). */
type LayerList = Extract<TopLevelSpec, { layer: unknown }>['layer'];

/** One line of the chart. */
export interface ChartSeries {
  /** Legend label; unique within a chart. */
  name: string;
  /** Vertices; drawn in order of x. */
  points: readonly { x: number; y: number }[];
  /** Stroke colour; defaults to a palette entry by position. */
  color?: string;
  /** Dashed stroke, for noisier per-batch curves. */
  dashed?: boolean;
  /** A dot on every point, for sparse evaluation curves. */
  markers?: boolean;
}

/** A learning curve: several named series on shared axes. */
export interface LineChart {
  /** Heading above the plot. */
  title: string;
  /** x-axis title. */
  xLabel: string;
  /** y-axis title. */
  yLabel: string;
  /** The lines, in legend order. */
  series: readonly ChartSeries[];
  /** Fixed y range (e.g. [0, 1] for accuracy); otherwise it spans the data. */
  yDomain?: [number, number] | undefined;
  /** Width of the whole picture in pixels, legend included (default 720). */
  width?: number;
  /** Height of the whole picture in pixels, title included (default 420). */
  height?: number;
}

/**
 * A series over training steps: one point per row at x = `row.step`, y = `y(row)`, with the
 * given style (`markers` for sparse evaluations, `dashed` for noisy per-batch numbers).
 */
export function stepSeries<R extends { step: number }>(
  name: string,
  rows: readonly R[],
  y: (row: R) => number,
  style: Pick<ChartSeries, 'color' | 'dashed' | 'markers'> = {},
): ChartSeries {
  return { name, points: rows.map((row) => ({ x: row.step, y: y(row) })), ...style };
}

/** How the SVG becomes pixels. */
export interface RasterOptions {
  /**
   * Use the machine's fonts for text (default true). Without any font, resvg draws the lines and
   * leaves the text out rather than failing.
   */
  loadSystemFonts?: boolean;
  /** Extra font files, e.g. a TTF shipped with a project for bare CI machines. */
  fontFiles?: string[];
}

function fail(field: string, problem: string, fix: string): never {
  throw new Error(`chart: \`${field}\` ${problem}; ${fix}.`);
}

function checkLabel(value: unknown, field: string): void {
  if (typeof value !== 'string') fail(field, `must be a string, got ${typeof value}`, 'pass a text label');
}

function checkSize(value: unknown, field: string): void {
  if (
    value !== undefined &&
    !(typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 4000)
  )
    fail(field, `must be a whole number of pixels in [100, 4000], got ${value}`, 'pass e.g. 720');
}

/** A plain object's fields, for checks on values that arrive untyped from a JavaScript caller. */
function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/**
 * Validates a chart before any rendering, so a NaN from a diverged run or an empty list is reported by
 * field (`series[1].points[3].y`) instead of surfacing as a blank plot or a vega error.
 */
export function validateChart(chart: unknown): asserts chart is LineChart {
  const fields = fieldsOf(chart);
  if (fields === undefined) fail('chart', 'must be an object', 'pass { title, … }');
  checkLabel(fields.title, 'title');
  checkLabel(fields.xLabel, 'xLabel');
  checkLabel(fields.yLabel, 'yLabel');
  checkSize(fields.width, 'width');
  checkSize(fields.height, 'height');
  const { series, yDomain } = fields;
  if (!Array.isArray(series) || series.length === 0)
    fail('series', 'must be a non-empty array', 'pass at least one { name, points }');
  const names = new Set<string>();
  series.forEach((entry: unknown, i) => {
    const line = fieldsOf(entry);
    if (line === undefined) fail(`series[${i}]`, 'must be an object', 'pass { name, points }');
    const { name, points } = line;
    if (typeof name !== 'string' || name === '')
      fail(`series[${i}].name`, 'must be a non-empty string', 'name the line for the legend');
    if (names.has(name)) fail(`series[${i}].name`, `repeats "${name}"`, 'give every series its own name');
    names.add(name);
    if (!Array.isArray(points) || points.length === 0)
      fail(
        `series[${i}].points`,
        'must be a non-empty array',
        'pass at least one { x, y } or drop the series',
      );
    points.forEach((point: unknown, j) => {
      for (const axis of ['x', 'y']) {
        const value = fieldsOf(point)?.[axis];
        if (typeof value !== 'number' || !Number.isFinite(value))
          fail(
            `series[${i}].points[${j}].${axis}`,
            `must be a finite number, got ${value}`,
            'drop or fix the point',
          );
      }
    });
  });
  if (yDomain !== undefined) {
    const valid =
      Array.isArray(yDomain) &&
      yDomain.length === 2 &&
      yDomain.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
      yDomain[0] < yDomain[1];
    if (!valid)
      fail(
        'yDomain',
        `must be [low, high] with finite low < high, got ${JSON.stringify(yDomain)}`,
        'e.g. [0, 1]',
      );
  }
}

/**
 * The vega-lite spec of a learning curve, with the data inlined so the spec alone redraws the chart.
 * One line layer carries colour and dash per series (so the legend shows both); a point layer adds
 * markers to the series that asked for them.
 */
export function learningCurveSpec(chart: LineChart): TopLevelSpec {
  validateChart(chart);
  const { title, xLabel, yLabel, series, yDomain, width = 720, height = 420 } = chart;
  const names = series.map((line) => line.name);
  const values = series.flatMap((line) => line.points.map(({ x, y }) => ({ series: line.name, x, y })));
  const x = {
    field: 'x',
    type: 'quantitative',
    title: xLabel,
    scale: { zero: false, nice: false },
  } as const;
  const y = {
    field: 'y',
    type: 'quantitative',
    title: yLabel,
    scale: yDomain ? { domain: yDomain, nice: false } : { zero: false },
  } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: {
      domain: names,
      range: series.map((line, i) => line.color ?? paletteColor(i)),
    },
  } as const;
  const strokeDash = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: names, range: series.map((line) => (line.dashed ? DASHED : SOLID)) },
  } as const;
  const layer: LayerList = [
    { mark: { type: 'line', strokeWidth: 2, clip: true }, encoding: { x, y, color, strokeDash } },
  ];
  const marked = series.filter((line) => line.markers).map((line) => line.name);
  if (marked.length > 0) {
    layer.push({
      transform: [{ filter: { field: 'series', oneOf: marked } }],
      // Unclipped, a marker on the frame shows whole; only a fixed y domain can put points outside it.
      mark: { type: 'point', filled: true, size: 45, opacity: 1, clip: yDomain !== undefined },
      encoding: { x, y, color },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 15 },
    width,
    height,
    // Fit the whole picture, axes and legend included, into width × height so the PNG has that size.
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    padding: 8,
    data: { values },
    layer,
    config: {
      font: FONT,
      legend: {
        orient: 'right',
        symbolType: 'stroke',
        symbolSize: 300,
        symbolStrokeWidth: 2,
        labelLimit: 220,
      },
    },
  };
}

/**
 * Renders a vega-lite spec to an SVG document with vega's headless view. Text is measured by vega's
 * built-in estimate, so no canvas package is needed.
 */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG document to PNG bytes at its own size, on white. */
export function svgToPng(
  svg: string,
  { loadSystemFonts = true, fontFiles = [] }: RasterOptions = {},
): { png: Buffer; width: number; height: number } {
  const image = new Resvg(svg, { font: { loadSystemFonts, fontFiles }, background: 'white' }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

/** The three renderings of a learning curve: spec, SVG and PNG. */
export async function renderLearningCurve(
  chart: LineChart,
  options?: RasterOptions,
): Promise<{ spec: TopLevelSpec; svg: string; png: Buffer }> {
  const spec = learningCurveSpec(chart);
  const svg = await specToSvg(spec);
  return { spec, svg, png: svgToPng(svg, options).png };
}

// Write-then-rename: a reader (or a crash mid-write) never sees half a PNG under the final name.
function writeAtomically(path: string, data: string | Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/**
 * Renders `chart` and writes `<name>.vl.json`, `<name>.svg` and `<name>.png` into `dir` (which must
 * exist), each through a temporary file and a rename; `name` is the file stem, e.g. `learning-curve`.
 * Returns the three paths.
 */
export async function writeLearningCurve(
  dir: string,
  name: string,
  chart: LineChart,
  options?: RasterOptions,
): Promise<{ spec: string; svg: string; png: string }> {
  if (typeof name !== 'string' || name === '' || basename(name) !== name || name.startsWith('.'))
    fail('name', `must be a plain file stem, got ${JSON.stringify(name)}`, "pass e.g. 'learning-curve'");
  const { spec, svg, png } = await renderLearningCurve(chart, options);
  const paths = {
    spec: join(dir, `${name}.vl.json`),
    svg: join(dir, `${name}.svg`),
    png: join(dir, `${name}.png`),
  };
  writeAtomically(paths.spec, `${JSON.stringify(spec, null, 2)}\n`);
  writeAtomically(paths.svg, svg.endsWith('\n') ? svg : `${svg}\n`);
  writeAtomically(paths.png, png);
  return paths;
}
