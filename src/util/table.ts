/** Plain-text tables for terminal reports. */

/**
 * Aligns the columns of `rows` (the first row is the header) with two spaces between columns;
 * columns marked in `right` (numbers) are right-aligned, the others left-aligned.
 */
export function formatTable(rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const first = rows[0];
  if (first === undefined) return '';
  const widths = first.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (right[i] === true ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
