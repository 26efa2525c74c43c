/**
 * Types of `chart.mjs` for TypeScript callers that do not read JavaScript (the examples type-check
 * without `allowJs`). Delete this file once the chart module is TypeScript itself.
 */

/** One line of the chart. */
export interface ChartSeries {
  /** Legend label; unique within a chart. */
  name: string;
  /** Vertices; drawn in order of x. */
  points: { x: number; y: number }[];
  /** Stroke colour; defaults to a palette entry by position. */
  color?: string;
  /** Dashed stroke, for noisier per-batch curves. */
  dashed?: boolean;
  /** A dot on every point, for sparse evaluation curves. */
  markers?: boolean;
}

/** A learning curve: several named series on shared axes. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Fixed y range (e.g. [0, 1] for accuracy); otherwise it spans the data. */
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

/** How the SVG becomes pixels. */
export interface RasterOptions {
  loadSystemFonts?: boolean;
  fontFiles?: string[];
}

/** Throws, naming the field, on a chart that cannot be drawn. */
export function validateChart(chart: LineChart): void;
/** The vega-lite top-level spec of `chart`. */
export function learningCurveSpec(chart: LineChart): object;
/** Renders a vega-lite spec to an SVG document. */
export function specToSvg(spec: object): Promise<string>;
/** Rasterizes an SVG document to PNG bytes at its own size, on white. */
export function svgToPng(
  svg: string,
  options?: RasterOptions,
): { png: Buffer; width: number; height: number };
/** The three renderings of a learning curve: spec, SVG and PNG. */
export function renderLearningCurve(
  chart: LineChart,
  options?: RasterOptions,
): Promise<{ spec: object; svg: string; png: Buffer }>;
/** Writes `<name>.vl.json`, `<name>.svg` and `<name>.png` into `dir`; returns the three paths. */
export function writeLearningCurve(
  dir: string,
  name: string,
  chart: LineChart,
  options?: RasterOptions,
): Promise<{ spec: string; svg: string; png: string }>;
