// Tables of `ramen ps` and `ramen stats` (cli-runtime.md §3.4): TAB-separated
// lines by default, or columns aligned with ` | ` (`--pretty`); optional
// header, sorting on one column (`-s`) and truncation (`-t`).

import { RamenError } from "../../grammar/diagnostics.js";
import { formatDate, formatDuration, formatFloat } from "../../stdlib/format.js";

/** How a column's values print, align and sort. */
export type ColumnKind = "string" | "int" | "float" | "date" | "duration" | "bytes";

export interface TableColumn {
  readonly name: string;
  readonly kind: ColumnKind;
}

/**
 * A cell: a string, or a number (seconds for dates and durations); undefined
 * or null when unknown, printed `n/a`. A string in a non-string column is
 * printed as is (already rendered).
 */
export type TableCell = string | number | bigint | null | undefined;

export interface TableOptions {
  readonly pretty: boolean;
  /**
   * Header lines: false or 0 none, true one at the top, N > 0 one before
   * every N lines. Default: on with `pretty`, else off.
   */
  readonly withHeader?: boolean | number;
  /** `-s`: a 0-based column number or a unique case-insensitive prefix of a column name (spaces ignored) */
  readonly sort?: string;
  /** `-t`: keep the first N lines, after sorting */
  readonly top?: number;
}

export const MISSING_CELL = "n/a";

const SEPARATOR = "\t";
const PRETTY_SEPARATOR = " | ";

/** The output lines (without line ends) of a table. */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly TableCell[])[], opts: TableOptions): string[] {
  let kept = rows;
  if (opts.sort !== undefined) kept = sortRows(rows, resolveColumn(columns, opts.sort), columns);
  if (opts.top !== undefined) kept = kept.slice(0, Math.max(0, opts.top));
  const texts = kept.map((row) => columns.map((c, i) => cellText(row[i], c.kind)));
  const names = columns.map((c, i) => (i === 0 ? "#" : "") + c.name);
  const headerEvery = headerPeriod(opts.withHeader ?? opts.pretty);
  const [header, lines] = opts.pretty ? alignColumns(columns, names, texts) : [names.join(SEPARATOR), texts.map((t) => t.join(SEPARATOR))];
  if (headerEvery === 0) return lines;
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (i % headerEvery === 0) out.push(header);
    out.push(line);
  });
  if (lines.length === 0) out.push(header);
  return out;
}

/** Lines between two headers for a `--with-header` value: 0 for no header, Infinity for one at the top only. */
export function headerPeriod(withHeader: boolean | number): number {
  if (withHeader === true) return Infinity;
  if (withHeader === false) return 0;
  return withHeader > 0 ? Math.floor(withHeader) : 0;
}

// ---- the -s column --------------------------------------------------------------------

function squeeze(name: string): string {
  return name.replace(/\s+/g, "").toLowerCase();
}

/**
 * The index of the column designated by `text`: a 0-based number, or a
 * case-insensitive prefix of exactly one column name, spaces ignored (a name
 * equal to the text wins over longer names it prefixes).
 */
export function resolveColumn(columns: readonly { readonly name: string }[], text: string): number {
  if (/^\s*\d+\s*$/.test(text)) {
    const n = Number(text);
    if (n < columns.length) return n;
    throw RamenError.of("unknownColumn", { column: text });
  }
  const wanted = squeeze(text);
  const candidates: number[] = [];
  for (let i = 0; i < columns.length; i++) {
    const name = squeeze(columns[i]!.name);
    if (name === wanted) return i;
    if (wanted !== "" && name.startsWith(wanted)) candidates.push(i);
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw RamenError.of("unknownColumn", { column: text });
  throw RamenError.of("ambiguousColumn", { column: text, candidates: candidates.map((i) => columns[i]!.name).join(", ") });
}

/** Strings ascending, numbers (dates, durations, sizes) descending; unknown values last; ties keep their order. */
function sortRows(rows: readonly (readonly TableCell[])[], col: number, columns: readonly TableColumn[]): (readonly TableCell[])[] {
  const descending = columns[col]!.kind !== "string";
  return [...rows].sort((ra, rb) => {
    const a = ra[col];
    const b = rb[col];
    const aMissing = a === undefined || a === null;
    const bMissing = b === undefined || b === null;
    if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
    // Numbers and bigints compare with each other as values; strings by code units.
    const order = a < b ? -1 : a > b ? 1 : 0;
    return descending ? -order : order;
  });
}

// ---- cells ------------------------------------------------------------------------------

function cellText(v: TableCell, kind: ColumnKind): string {
  if (v === undefined || v === null) return MISSING_CELL;
  if (typeof v === "string") return v;
  switch (kind) {
    case "string":
    case "int":
    case "bytes":
      return typeof v === "bigint" || Number.isInteger(v) ? String(v) : formatFloat(v);
    case "float":
      return formatFloat(Number(v));
    case "date":
      return formatDate(Number(v));
    case "duration":
      return formatDuration(Number(v));
  }
}

// ---- --pretty -----------------------------------------------------------------------------

/** Display width: code points, so that UTF-8 text (already decoded) lines up. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function padStart(s: string, w: number): string {
  return " ".repeat(Math.max(0, w - width(s))) + s;
}

function padEnd(s: string, w: number): string {
  return s + " ".repeat(Math.max(0, w - width(s)));
}

const HAS_DIGIT = /[0-9]/;

/** Splits a float's text at its decimal point: `12.5` → `12`, `.5`. */
function splitAtPoint(s: string): [string, string] {
  const dot = s.indexOf(".");
  return dot < 0 ? [s, ""] : [s.slice(0, dot), s.slice(dot)];
}

/**
 * Header and lines of an aligned table: strings left-aligned, everything else
 * right-aligned, floats padded on both sides of the decimal point first so
 * that the points line up.
 */
function alignColumns(columns: readonly TableColumn[], names: readonly string[], texts: readonly string[][]): [string, string[]] {
  const cells = texts.map((row) => row.slice());
  const widths = names.map(width);
  columns.forEach((c, col) => {
    if (c.kind === "float") {
      // Texts without digits (n/a, a NULL text, nan, inf) are right-aligned as a whole.
      const numeric = cells.filter((row) => HAS_DIGIT.test(row[col]!));
      const parts = numeric.map((row) => splitAtPoint(row[col]!));
      const intWidth = Math.max(0, ...parts.map(([i]) => width(i)));
      const fracWidth = Math.max(0, ...parts.map(([, f]) => width(f)));
      parts.forEach(([i, f], r) => (numeric[r]![col] = padStart(i, intWidth) + padEnd(f, fracWidth)));
    }
    for (const row of cells) widths[col] = Math.max(widths[col]!, width(row[col]!));
  });
  const align = (s: string, col: number): string => (columns[col]!.kind === "string" ? padEnd(s, widths[col]!) : padStart(s, widths[col]!));
  const layout = (row: readonly string[]): string => row.map(align).join(PRETTY_SEPARATOR).trimEnd();
  // The header's `#` stays first on its line, whatever the alignment of the first column.
  const header = names.map((name, col) =>
    col === 0 && columns[col]!.kind !== "string" ? "#" + padStart(name.slice(1), widths[col]! - 1) : align(name, col),
  );
  return [header.join(PRETTY_SEPARATOR).trimEnd(), cells.map(layout)];
}
