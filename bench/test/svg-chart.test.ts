import { describe, expect, it } from 'vitest';
import { barChartSvg } from '../lib/svg-chart.js';

describe('SVG bar chart', () => {
  it('draws one bar per value on a log axis, escaping labels', () => {
    const svg = barChartSvg('Title <1>', 'sub', 'ms', [
      {
        title: 'N = 10,000',
        bars: [
          { label: 'a & b', value: 1, group: 'ours' },
          { label: 'c', value: 100, group: 'peer', text: '100 ms' },
        ],
      },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('Title &lt;1&gt;');
    expect(svg.match(/<rect x="360" [^>]*height="13"/g)).toHaveLength(2);
    // Bar of 100 on an axis 1..100 spans the whole plot width (420).
    expect(svg).toContain('width="420.0"');
    expect(svg).toContain('100 ms');
  });

  it('rejects non-positive values and empty charts', () => {
    expect(() => barChartSvg('t', 's', 'ms', [])).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() =>
      barChartSvg('t', 's', 'ms', [{ title: 'x', bars: [{ label: 'z', value: 0, group: 'ours' }] }]),
    ).toThrowError(/positive/);
  });
});
