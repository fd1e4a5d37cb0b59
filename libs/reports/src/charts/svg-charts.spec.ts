import { barChart, lineChart, xAt } from './svg-charts';

const rects = (svg: string) =>
  [
    ...svg.matchAll(
      /<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="([^"]+)"/g,
    ),
  ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]), fill: m[5] }));
const polylines = (svg: string) =>
  [...svg.matchAll(/<polyline class="series" data-series="([^"]+)" points="([^"]+)"/g)].map((m) => ({
    series: m[1],
    points: m[2]!.split(' ').map((p) => p.split(',').map(Number)),
  }));

describe('barChart', () => {
  // 640 wide, labels 120, values 56: the plot is 464 px from x = 120.
  const svg = barChart(
    [
      { label: '甲镇', value: 240 },
      { label: '乙镇', value: 120, alert: true },
      { label: '丙镇', value: -5 },
    ],
    { title: '总分', max: 480 },
  );

  it('draws one bar per entry, its length proportional to the value against the axis maximum', () => {
    expect(rects(svg)).toEqual([
      { x: 120, y: 22, width: 232, height: 16, fill: '#1f5fa8' },
      { x: 120, y: 44, width: 116, height: 16, fill: '#c62828' },
      { x: 120, y: 66, width: 0, height: 16, fill: '#1f5fa8' },
    ]);
  });

  it('labels each bar with its name and true value, and sizes the drawing to the bars', () => {
    expect(svg).toContain('>甲镇</text>');
    expect(svg).toContain('>-5</text>');
    expect(svg).toMatch(/^<svg [^>]*width="640" height="92"/);
    expect(svg).toContain('<title>总分</title>');
  });

  it('defaults the axis to the largest value and escapes labels', () => {
    const bars = rects(
      barChart(
        [
          { label: 'a<b', value: 2 },
          { label: 'c', value: 1 },
        ],
        { title: 't' },
      ),
    );
    expect(bars.map((b) => b.width)).toEqual([464, 232]);
    expect(barChart([{ label: 'a<b', value: 2 }], { title: 't' })).toContain('a&lt;b');
  });
});

describe('lineChart', () => {
  // 640 × 240: x from 44 to 628, y from 214 (0) up to 40 (yMax 100).
  const svg = lineChart(
    ['1月', '2月', '3月'],
    [
      { name: '完成度', values: [10, null, 50], color: '#00f' },
      { name: '时序进度', values: [25, 50, 100], color: '#888', dashed: true },
    ],
    { title: '完成度与时序进度', unit: '%' },
  );

  it('spreads the points evenly over the plot and scales values to the axis', () => {
    expect(xAt(0, 3, 44, 628)).toBe(44);
    expect(xAt(1, 3, 44, 628)).toBe(336);
    expect(xAt(0, 1, 44, 628)).toBe(336);
    const lines = polylines(svg);
    expect(lines.find((l) => l.series === '时序进度')!.points).toEqual([
      [44, 170.5],
      [336, 127],
      [628, 40],
    ]);
  });

  it('leaves a gap where a value is missing (two runs of one point each)', () => {
    const runs = polylines(svg).filter((l) => l.series === '完成度');
    expect(runs.map((r) => r.points)).toEqual([[[44, 196.6]], [[628, 127]]]);
    expect(svg.match(/<circle /g)).toHaveLength(5);
  });

  it('draws ticks with the unit, a legend and dashes where asked', () => {
    expect(svg).toContain('>100%</text>');
    expect(svg).toContain('>50%</text>');
    expect(svg).toContain('>时序进度</text>');
    expect(svg).toContain('stroke-dasharray="5 3"');
  });

  it('raises the axis to fit values above 100, in steps of 25', () => {
    const tall = lineChart(['1月'], [{ name: 's', values: [130], color: '#000' }], { title: 't' });
    expect(tall).toContain('>150</text>');
  });
});
