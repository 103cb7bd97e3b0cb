// Lines of `ramen tail` and `ramen replay` (cli-runtime.md §3.3, §6.5): one
// line per tuple, values rendered per §3.1 and joined by the separator,
// optionally preceded by the event start and stop as dates, with a `#`
// header line at the top or every N lines.

import { NType, T, notNull } from "../../grammar/types.js";
import { SECONDS, SECONDS_REL, Units, unitsEqual, unitsToString } from "../../grammar/units.js";
import { formatDate, renderValue, type RenderOptions } from "../../stdlib/format.js";
import type { Value } from "../../stdlib/values.js";
import { OutputField, selectFields } from "./fields.js";
import { ColumnKind, TableCell, TableColumn, headerPeriod } from "./table.js";

export interface TailOptions {
  /** between values (`--separator`) */
  readonly separator: string;
  /** the text of NULL (`--null`) */
  readonly nullText: string;
  /** strings without quotes nor escapes (`--raw`) */
  readonly raw: boolean;
  /** false or 0: no header; true: one at the top; N > 0: one before every N lines */
  readonly withHeader?: boolean | number;
  /** units after each header name: `start{seconds(rel)}` */
  readonly withUnits: boolean;
  /** two leading columns, the event start and stop, as dates */
  readonly withEventTimes: boolean;
  /** the FIELD arguments: printed columns in this order (none: every public field) */
  readonly selected?: readonly string[];
}

export interface TailFormatter {
  /** the printed columns: the event times first when asked, then the selected fields */
  readonly columns: readonly OutputField[];
  /**
   * The header line if one is due before the next data line (at the top, or
   * every N lines), once; else undefined. Call it before each `line`; with no
   * data at all (`-h -l 0`) it still gives the top header.
   */
  header(): string | undefined;
  /** The line of a tuple: `values` holds every output field (private ones included) in output order; start and stop in seconds. */
  line(values: readonly Value[], start?: number | null, stop?: number | null): string;
  /** Columns of a `--pretty` table: floats in seconds since the epoch are dates, floats in seconds durations. */
  tableColumns(): TableColumn[];
  /** The cells of a tuple for a `--pretty` table, NULLs already as the `--null` text. */
  cells(values: readonly Value[], start?: number | null, stop?: number | null): TableCell[];
}

/** The event time columns, named like RaQL's `#start`/`#stop` without the `#` (and so printed by `-u`). */
const EVENT_TIME_COLUMNS: readonly OutputField[] = [
  { name: "start", type: notNull(T.float), units: SECONDS_REL },
  { name: "stop", type: notNull(T.float), units: SECONDS_REL },
];

function headerName(f: OutputField, withUnits: boolean): string {
  return withUnits && f.units !== undefined ? f.name + unitsToString(f.units) : f.name;
}

/**
 * A formatter for the output of a function whose fields (all of them, in
 * output order) are `fields`. Throws `Unknown field …` / `Field _x is
 * private` for a bad name in `opts.selected`.
 */
export function tailFormatter(fields: readonly OutputField[], opts: TailOptions): TailFormatter {
  const indices = selectFields(fields, opts.selected);
  const selected = indices.map((i) => fields[i]!);
  const columns = opts.withEventTimes ? [...EVENT_TIME_COLUMNS, ...selected] : selected;
  const render: RenderOptions = { nullText: opts.nullText, raw: opts.raw };
  const types: readonly NType[] = selected.map((f) => f.type);
  const kinds: readonly ColumnKind[] = selected.map(columnKind);
  const sep = opts.separator;
  const headerText = "#" + columns.map((c) => headerName(c, opts.withUnits)).join(sep);
  const every = headerPeriod(opts.withHeader ?? false);
  let lineCount = 0;
  let headerDoneAt = -1;

  const eventTime = (t: number | null | undefined): string => (t === undefined || t === null ? opts.nullText : formatDate(t));

  return {
    columns,
    header() {
      // With every = Infinity, lineCount % every is lineCount: only the top header is due.
      if (every === 0 || headerDoneAt === lineCount || lineCount % every !== 0) return undefined;
      headerDoneAt = lineCount;
      return headerText;
    },
    line(values, start, stop) {
      let out = opts.withEventTimes ? eventTime(start) + sep + eventTime(stop) : "";
      for (let c = 0; c < indices.length; c++) {
        if (c > 0 || opts.withEventTimes) out += sep;
        out += renderValue(values[indices[c]!] as Value, types[c]!, render);
      }
      lineCount++;
      return out;
    },
    tableColumns() {
      return columns.map((c) => ({ name: c.name, kind: columnKind(c) }));
    },
    cells(values, start, stop) {
      const out: TableCell[] = opts.withEventTimes ? [start ?? opts.nullText, stop ?? opts.nullText] : [];
      for (let c = 0; c < indices.length; c++) {
        const v = values[indices[c]!] as Value;
        // Numbers go to the table as numbers so that it prints dates and durations; the rest is rendered here.
        out.push(v !== null && kinds[c] !== "string" ? (v as number | bigint) : renderValue(v, types[c]!, render));
      }
      return out;
    },
  };
}

function hasUnits(units: Units | undefined, expected: Units): boolean {
  return units !== undefined && unitsEqual(units, expected);
}

function columnKind(f: OutputField): ColumnKind {
  switch (f.type.type.tag) {
    case "float":
      if (hasUnits(f.units, SECONDS_REL)) return "date";
      if (hasUnits(f.units, SECONDS)) return "duration";
      return "float";
    case "int":
      return "int";
    default:
      return "string";
  }
}
