/** One line of the bench table: a measurement, what it is compared with, and the target. */
export interface Row {
  scenario: string;
  measure: string;
  value: string;
  reference?: string;
  ratio?: string;
  target?: string;
  /** Whether the target is met; undefined when the row has no target. */
  met?: boolean;
}

export interface ScenarioResult {
  rows: Row[];
  /** What the reader needs to read the rows: sizes, conditions, noise. */
  notes: string[];
}

export const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
export const pct = (ratio: number): string => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : 'n/a');

const HEADER = ['#', 'measure', 'result', 'compared with', 'ratio', 'target', 'met'];

function cells(row: Row): string[] {
  return [row.scenario, row.measure, row.value, row.reference ?? '', row.ratio ?? '', row.target ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO'];
}

/** A plain-text table (also valid Markdown, so RESULTS.md can hold it as printed). */
export function renderTable(rows: Row[]): string {
  const table = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]): string => `| ${c.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(HEADER), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.map(line)].join('\n');
}
