/**
 * A hand-written SVG chart for benchmark results: horizontal bars on a log10 axis, one bar per
 * labelled value, grouped under headings. No dependencies; the output is a standalone SVG file
 * the README can embed.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** One bar: a label, a positive value, and an optional colour group. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** `ours`, `peer`, `baseline` or `native` (picks the colour). */
  readonly group: string;
  /** Text printed after the bar (defaults to the value). */
  readonly text?: string;
}

/** A block of bars under one heading. */
export interface BarSection {
  readonly title: string;
  readonly bars: readonly Bar[];
}

const COLOURS: Record<string, string> = {
  ours: '#2b7bb9',
  peer: '#d9822b',
  baseline: '#8a8a8a',
  native: '#5a9e4b',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Renders sections of bars with a shared log10 axis. Values must be positive and finite
 * (`INVALID_ARGUMENT` otherwise), since a log axis has no place for zero.
 */
export function barChartSvg(
  title: string,
  subtitle: string,
  unit: string,
  sections: readonly BarSection[],
): string {
  const all = sections.flatMap((s) => s.bars);
  if (all.length === 0) throw new WebEmbedError('INVALID_ARGUMENT', 'a chart needs at least one bar');
  for (const bar of all) {
    if (!(bar.value > 0) || !Number.isFinite(bar.value)) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `bar "${bar.label}" has value ${bar.value}; expected a positive number`,
      );
    }
  }
  const labelWidth = 360;
  const plotWidth = 420;
  const rowHeight = 18;
  const width = labelWidth + plotWidth + 110;
  const lo = Math.floor(Math.log10(Math.min(...all.map((b) => b.value))));
  const hi = Math.ceil(Math.log10(Math.max(...all.map((b) => b.value))));
  const span = Math.max(1, hi - lo);
  const x = (v: number) => labelWidth + ((Math.log10(v) - lo) / span) * plotWidth;
  const parts: string[] = [];
  let y = 48;
  for (const section of sections) {
    y += 8;
    parts.push(`<text x="8" y="${y + 12}" font-weight="bold">${escapeXml(section.title)}</text>`);
    y += rowHeight + 2;
    for (const bar of section.bars) {
      const end = x(bar.value);
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(1, end - labelWidth).toFixed(1)}" height="${rowHeight - 5}" fill="${COLOURS[bar.group] ?? '#555'}"/>`,
        `<text x="${(end + 4).toFixed(1)}" y="${y + 12}">${escapeXml(bar.text ?? String(bar.value))}</text>`,
      );
      y += rowHeight;
    }
  }
  const axisY = y + 6;
  const ticks: string[] = [];
  for (let p = lo; p <= lo + span; p++) {
    const tx = x(10 ** p);
    ticks.push(
      `<line x1="${tx.toFixed(1)}" y1="44" x2="${tx.toFixed(1)}" y2="${axisY}" stroke="#ddd"/>`,
      `<text x="${tx.toFixed(1)}" y="${axisY + 14}" text-anchor="middle" fill="#555">${escapeXml(p >= 0 ? String(10 ** p) : (10 ** p).toPrecision(1))}</text>`,
    );
  }
  const height = axisY + 44;
  const legend = Object.entries(COLOURS)
    .filter(([group]) => all.some((b) => b.group === group))
    .map(
      ([group, colour], i) =>
        `<rect x="${labelWidth + i * 100}" y="${height - 18}" width="10" height="10" fill="${colour}"/><text x="${labelWidth + 14 + i * 100}" y="${height - 9}">${group}</text>`,
    );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="8" y="34" fill="#555">${escapeXml(subtitle)} (${escapeXml(unit)}, log scale)</text>`,
    ...ticks,
    ...parts,
    `<text x="${labelWidth + plotWidth / 2}" y="${axisY + 28}" text-anchor="middle" fill="#555">${escapeXml(unit)}</text>`,
    ...legend,
    '</svg>',
  ].join('\n');
}
