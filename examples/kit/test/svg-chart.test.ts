import { describe, expect, it } from 'vitest';
import { lineChartSvg } from '../src/svg-chart.mjs';

const series = [
  { name: 'eval <reward>', points: [0, 1, 2].map((x) => ({ x, y: x * 0.5 })), markers: true },
  { name: 'train', points: [0, 1, 2, 3].map((x) => ({ x, y: 1 - x * 0.1 })), dashed: true },
];

describe('lineChartSvg', () => {
  const svg = lineChartSvg({ title: 'A & B', xLabel: 'step', yLabel: 'value', series });

  it('draws one path per series with one vertex per point', () => {
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(paths).toHaveLength(2);
    expect(paths.map((d) => d.split(' ').length)).toEqual([3, 4]);
    expect(paths[0]?.startsWith('M')).toBe(true);
  });

  it('marks the points of series with markers only, and dashes dashed series', () => {
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/<path [^>]*stroke-dasharray/g)).toHaveLength(1);
  });

  it('is a standalone SVG with an escaped title and legend', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    expect(svg).toContain('<title>A &amp; B</title>');
    expect(svg).toContain('eval &lt;reward&gt;');
  });

  it('maps the y domain onto the plot: higher values sit higher (smaller y)', () => {
    const d = svg.match(/<path d="([^"]+)"/)?.[1] ?? '';
    const ys = d.split(' ').map((p) => Number(p.slice(1).split(',')[1]));
    expect(ys[0]).toBeGreaterThan(ys[1] ?? Number.NaN);
    expect(ys[1]).toBeGreaterThan(ys[2] ?? Number.NaN);
  });

  it('rejects an empty series list with a message naming it', () => {
    expect(() => lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toThrow(/`series`/);
  });
});
