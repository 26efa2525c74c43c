import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  learningCurveSpec,
  renderLearningCurve,
  specToSvg,
  svgToPng,
  writeLearningCurve,
} from '../src/chart';

const chart = {
  title: 'A & B',
  xLabel: 'PPO step',
  yLabel: 'accuracy',
  yDomain: [0, 1] as [number, number],
  series: [
    { name: 'eval <reward>', points: [0, 10, 20].map((x) => ({ x, y: x / 40 })), markers: true },
    { name: 'train batch', points: [1, 2, 3, 4].map((x) => ({ x, y: 1 - x / 10 })), dashed: true },
    { name: 'kl', points: [1, 2, 3, 4].map((x) => ({ x, y: x / 20 })), color: '#123456' },
  ],
};

/** The parts of the generated vega-lite spec the tests read. */
interface Spec {
  width: number;
  height: number;
  data: { values: { series: string; x: number; y: number }[] };
  layer: {
    transform?: { filter: { oneOf: string[] } }[];
    mark: { clip: boolean };
    encoding: {
      y: { scale: { domain?: number[] } };
      color: { scale: { domain: string[]; range: string[] } };
      strokeDash?: { scale: { range: number[][] } };
    };
  }[];
}

/** Width and height from a PNG's IHDR chunk, which the format requires to come first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every line mark of a vega SVG: its vertices, stroke colour and dash pattern. */
function lineMarks(svg: string): { points: number[][]; stroke: string; dash: string }[] {
  return [...svg.matchAll(/<path [^>]*aria-roledescription="line mark" d="([^"]+)"([^>]*)>/g)].map((m) => ({
    points: (m[1] ?? '')
      .slice(1)
      .split('L')
      .map((vertex) => vertex.split(',').map(Number)),
    stroke: m[2]?.match(/stroke="([^"]+)"/)?.[1] ?? '',
    dash: m[2]?.match(/stroke-dasharray="([^"]+)"/)?.[1] ?? '',
  }));
}

describe('learningCurveSpec', () => {
  const spec = learningCurveSpec(chart) as Spec;
  const [lines, points] = spec.layer;

  it('inlines every point of every series, tagged with its series name', () => {
    expect(spec.data.values).toHaveLength(11);
    expect(spec.data.values.filter((v) => v.series === 'train batch').map((v) => v.y)).toEqual([
      0.9, 0.8, 0.7, 0.6,
    ]);
    expect(spec.data.values[2]).toEqual({ series: 'eval <reward>', x: 20, y: 0.5 });
  });

  it('keeps legend order, custom colours, dashes and the fixed y domain', () => {
    expect(lines?.encoding.color.scale.domain).toEqual(['eval <reward>', 'train batch', 'kl']);
    expect(lines?.encoding.color.scale.range[2]).toBe('#123456');
    expect(lines?.encoding.strokeDash?.scale.range).toEqual([
      [1, 0],
      [6, 4],
      [1, 0],
    ]);
    expect(lines?.encoding.y.scale.domain).toEqual([0, 1]);
    expect(spec.width).toBe(720);
    expect(spec.height).toBe(420);
  });

  it('adds a point layer only for series that ask for markers', () => {
    expect(points?.transform?.[0]?.filter.oneOf).toEqual(['eval <reward>']);
    const plain = learningCurveSpec({ ...chart, series: [chart.series[1]!] }) as Spec;
    expect(plain.layer).toHaveLength(1);
    // Markers are clipped to the frame only when a fixed y domain could leave points outside it.
    expect(points?.mark.clip).toBe(true);
    const free = learningCurveSpec({ ...chart, yDomain: undefined }) as Spec;
    expect(free.layer[1]?.mark.clip).toBe(false);
  });
});

describe('specToSvg', () => {
  let svg = '';
  beforeAll(async () => {
    svg = await specToSvg(learningCurveSpec(chart));
  });

  it('draws one line per series with one vertex per point, in its colour and dash', () => {
    const lines = lineMarks(svg);
    expect(lines.map((line) => line.points.length)).toEqual([3, 4, 4]);
    expect(lines.map((line) => line.dash)).toEqual(['1,0', '6,4', '1,0']);
    expect(lines[0]?.stroke).toBe('#1f77b4');
    expect(lines[2]?.stroke).toBe('#123456');
  });

  it('puts larger y higher on the picture and larger x further right', () => {
    const [first] = lineMarks(svg);
    const xs = first?.points.map(([x]) => x ?? Number.NaN) ?? [];
    const ys = first?.points.map(([, y]) => y ?? Number.NaN) ?? [];
    expect(xs[0]).toBeLessThan(xs[1] ?? Number.NaN);
    expect(ys[0]).toBeGreaterThan(ys[1] ?? Number.NaN);
    // The y scale is linear: equal steps in y (0, 0.25, 0.5) are equal steps on the picture.
    expect(ys[0]! - ys[2]!).toBeCloseTo((ys[0]! - ys[1]!) * 2, 1);
  });

  it('marks only the points of series with markers', () => {
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(3);
  });

  it('has the requested size and the title, axis titles and legend labels as escaped text', () => {
    expect(svg).toMatch(/^<svg [^>]*width="720" height="420"/);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const label of ['A &amp; B', 'PPO step', 'accuracy', 'eval &lt;reward&gt;', 'train batch', 'kl'])
      expect(texts).toContain(label);
  });
});

describe('svgToPng and renderLearningCurve', () => {
  it('renders a PNG of the requested size', async () => {
    const { png } = await renderLearningCurve({ ...chart, width: 600, height: 300 });
    expect(pngSize(png)).toEqual({ width: 600, height: 300 });
  });

  it('reports the raster size it produced', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="130" height="110"><rect width="9" height="9"/></svg>';
    const { png, width, height } = svgToPng(svg);
    expect({ width, height }).toEqual({ width: 130, height: 110 });
    expect(pngSize(png)).toEqual({ width: 130, height: 110 });
  });
});

describe('writeLearningCurve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kit-chart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes spec, SVG and PNG under the given name, leaving no temporary files', async () => {
    const paths = await writeLearningCurve(dir, 'learning-curve', chart);
    expect(paths).toEqual({
      spec: join(dir, 'learning-curve.vl.json'),
      svg: join(dir, 'learning-curve.svg'),
      png: join(dir, 'learning-curve.png'),
    });
    expect(readdirSync(dir).sort()).toEqual([
      'learning-curve.png',
      'learning-curve.svg',
      'learning-curve.vl.json',
    ]);
    expect(JSON.parse(readFileSync(paths.spec, 'utf8'))).toEqual(learningCurveSpec(chart));
    expect(readFileSync(paths.svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect(pngSize(readFileSync(paths.png))).toEqual({ width: 720, height: 420 });
  });

  it('rejects a name that is not a plain file stem, and writes nothing for a bad chart', async () => {
    await expect(writeLearningCurve(dir, '../escape', chart)).rejects.toThrow(/`name`/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(writeLearningCurve(empty, 'curve', { ...chart, series: [] })).rejects.toThrow(/`series`/);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('renders on a machine without fonts: lines but no text, and no crash', async () => {
    // An empty fontconfig file and home directory hide every system font from resvg, as on bare CI.
    const sandbox = mkdtempSync(join(tmpdir(), 'kit-nofonts-'));
    const fontsConf = join(sandbox, 'fonts.conf');
    writeFileSync(fontsConf, '<?xml version="1.0"?><fontconfig></fontconfig>\n');
    const script = [
      `import { writeLearningCurve } from ${JSON.stringify(pathToFileURL(join(__dirname, '../src/chart.ts')).href)};`,
      `await writeLearningCurve(${JSON.stringify(sandbox)}, 'curve', ${JSON.stringify(chart)});`,
    ].join('\n');
    // tsx's loader lets a plain node process import the TypeScript module, as the examples run it.
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        ...process.env,
        FONTCONFIG_FILE: fontsConf,
        HOME: sandbox,
        XDG_DATA_HOME: sandbox,
        XDG_DATA_DIRS: sandbox,
      },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const png = readFileSync(join(sandbox, 'curve.png'));
    expect(pngSize(png)).toEqual({ width: 720, height: 420 });
    // Same pixels as an in-process render told to load no fonts: the sandbox really had none.
    const withoutFonts = svgToPng(readFileSync(join(sandbox, 'curve.svg'), 'utf8'), {
      loadSystemFonts: false,
    });
    expect(png.equals(withoutFonts.png)).toBe(true);
    rmSync(sandbox, { recursive: true, force: true });
    expect(existsSync(sandbox)).toBe(false);
  });
});

describe('validation', () => {
  // Malformed on purpose, so typed as a well-formed chart only to reach the runtime checks.
  const withSeries = (series: unknown[]) => ({ ...chart, series }) as unknown as typeof chart;
  const bad = (overrides: object) => () => learningCurveSpec({ ...chart, ...overrides });

  it('names the field of an empty or missing series list', () => {
    expect(bad({ series: [] })).toThrow(/`series` must be a non-empty array/);
    expect(bad({ series: undefined })).toThrow(/`series`/);
  });

  it('names the exact point that is not finite', () => {
    const nan = withSeries([
      chart.series[0],
      {
        name: 'b',
        points: [
          { x: 0, y: 1 },
          { x: 1, y: Number.NaN },
        ],
      },
    ]);
    expect(() => learningCurveSpec(nan)).toThrow(
      /`series\[1\]\.points\[1\]\.y` must be a finite number, got NaN/,
    );
    const inf = withSeries([{ name: 'a', points: [{ x: Number.POSITIVE_INFINITY, y: 1 }] }]);
    expect(() => learningCurveSpec(inf)).toThrow(/`series\[0\]\.points\[0\]\.x`.*Infinity/);
    const text = withSeries([{ name: 'a', points: [{ x: 0, y: '1' }] }]);
    expect(() => learningCurveSpec(text)).toThrow(/`series\[0\]\.points\[0\]\.y`/);
  });

  it('names empty point lists, missing and repeated names', () => {
    expect(() => learningCurveSpec(withSeries([{ name: 'a', points: [] }]))).toThrow(/`series\[0\]\.points`/);
    expect(() => learningCurveSpec(withSeries([{ points: [{ x: 0, y: 0 }] }]))).toThrow(
      /`series\[0\]\.name`/,
    );
    const twice = withSeries([chart.series[1], chart.series[1]]);
    expect(() => learningCurveSpec(twice)).toThrow(/`series\[1\]\.name` repeats "train batch"/);
  });

  it('names a bad y domain, label or size', () => {
    expect(bad({ yDomain: [1, 0] })).toThrow(/`yDomain`/);
    expect(bad({ yDomain: [0, Number.NaN] })).toThrow(/`yDomain`/);
    expect(bad({ title: 3 })).toThrow(/`title` must be a string/);
    expect(bad({ width: 0 })).toThrow(/`width`/);
    expect(bad({ height: 10.5 })).toThrow(/`height`/);
  });
});
