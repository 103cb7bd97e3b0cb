// `ramen timeseries [OPTIONS] FUNCTION FIELD...` (cli-runtime.md §6.7):
// numeric fields resampled over time buckets, from the function's past
// (its archive, or replayed from its archived ancestors).

import { Command, Option } from "commander";
import { RamenError } from "../../grammar/diagnostics.js";
import { formatDate, formatFloat, renderValue } from "../../stdlib/format.js";
import type { Value } from "../../stdlib/values.js";
import { SupervisorClient } from "../client.js";
import { UsageError } from "../errors.js";
import { fieldIndex } from "../format/fields.js";
import { type TableCell, checkTimeRange, formatTable, parseTime, parseWheres } from "../format/index.js";
import { collect } from "../options.js";
import { progressBar } from "../progress.js";
import { type GlobalOptions, stateDirOf } from "../state.js";
import { type Tuple, workerView } from "../worker-view.js";

type Consolidation = "min" | "max" | "avg" | "sum" | "count";

interface TimeseriesOptions {
  since?: string;
  until?: string;
  numPoints?: string;
  timeStep?: string;
  factor?: string[];
  where?: string[];
  consolidation: Consolidation;
  bucketTime: "begin" | "middle" | "end";
  withHeader?: boolean;
  separator: string;
  null: string;
  pretty?: boolean;
}

/** What one bucket accumulated for one column. */
interface Bucket {
  weight: number;
  weighted: number;
  min: number;
  max: number;
}

const emptyBucket = (): Bucket => ({ weight: 0, weighted: 0, min: Infinity, max: -Infinity });

/** A bucket's value by the consolidation: NULL when empty, except count (0). */
function consolidate(b: Bucket, how: Consolidation): number | null {
  if (how === "count") return b.weight;
  if (b.weight === 0) return null;
  switch (how) {
    case "avg":
      return b.weighted / b.weight;
    case "sum":
      return b.weighted;
    case "min":
      return b.min;
    case "max":
      return b.max;
  }
}

function numeric(v: Value): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

export function registerTimeseries(program: Command): void {
  program
    .command("timeseries")
    .description("resample numeric fields of a function over time buckets")
    .argument("<function>", "program/function")
    .argument("<fields...>", "numeric fields")
    .option("--since <time>", "start (default: until − 600 s)")
    .option("--until <time>", "end (default: now)")
    .option("-n, --num-points <n>", "number of buckets (default 100)")
    .option("--time-step <secs>", "bucket width (then since and until are rounded to multiples of it)")
    .option("-f, --factor <field>", "one column per distinct value of this field (repeatable)", collect)
    .option("-w, --where <filter>", 'filter "FIELD OP VALUE" (repeatable, ANDed)', collect)
    .addOption(new Option("--consolidation <how>", "per bucket").choices(["min", "max", "avg", "sum", "count"]).default("avg"))
    .addOption(new Option("--bucket-time <when>", "time printed for a bucket").choices(["begin", "middle", "end"]).default("begin"))
    .option("-h, --with-header", "header line")
    .addOption(new Option("--separator <s>", "between values").env("RAMEN_CSV_SEPARATOR").default(","))
    .addOption(new Option("--null <s>", "text of NULL").env("RAMEN_CSV_NULL").default("<NULL>"))
    .option("--pretty", "an aligned table")
    .action(async (worker: string, names: string[], opts: TimeseriesOptions, command: Command) => {
      if (opts.numPoints !== undefined && opts.timeStep !== undefined) throw new UsageError("Options --num-points and --time-step are incompatible.");
      const now = Date.now() / 1000;
      let until = opts.until !== undefined ? parseTime(opts.until, now) : now;
      let since = opts.since !== undefined ? parseTime(opts.since, now) : until - 600;
      checkTimeRange(since, until);
      let points: number;
      if (opts.timeStep !== undefined) {
        const step = Number(opts.timeStep);
        if (!(step > 0)) throw new UsageError(`--time-step takes a positive number of seconds, not "${opts.timeStep}"`);
        since = Math.floor(since / step) * step;
        until = Math.ceil(until / step) * step;
        points = Math.round((until - since) / step);
      } else {
        points = opts.numPoints !== undefined ? Number(opts.numPoints) : 100;
        if (!Number.isInteger(points) || points <= 0) throw new UsageError(`--num-points takes a positive integer, not "${opts.numPoints}"`);
      }
      const dt = (until - since) / points;
      const client = await SupervisorClient.connect(stateDirOf(command.optsWithGlobals() as GlobalOptions));
      try {
        const view = await workerView(client, worker);
        if (!view.fn.eventTime) throw RamenError.of("noEventTime");
        const fields = names.map((n) => fieldIndex(view.fields, n));
        for (const k of fields) {
          const tag = view.fields[k]!.type.type.tag;
          if (tag !== "int" && tag !== "float" && tag !== "bool") throw RamenError.of("notNumericField", { field: view.fields[k]!.name });
        }
        const factors = (opts.factor ?? []).map((n) => fieldIndex(view.fields, n));
        const keep = parseWheres(opts.where ?? [], view.fields);
        // columns by factor values (as printed), each with one bucket array per field
        const columns = new Map<string, Bucket[][]>();
        const add = (t: Tuple) => {
          const key = factors.map((k) => renderValue(t.values[k]!, view.fields[k]!.type, { nullText: opts.null, raw: true })).join(".");
          let col = columns.get(key);
          if (!col) columns.set(key, (col = fields.map(() => Array.from({ length: points }, emptyBucket))));
          fields.forEach((k, f) => {
            const v = numeric(t.values[k]!);
            if (v === undefined) return;
            const contribute = (i: number, w: number) => {
              const b = col![f]![i]!;
              b.weight += w;
              b.weighted += w * v;
              if (v < b.min) b.min = v;
              if (v > b.max) b.max = v;
            };
            if (t.stop === t.start) {
              const i = Math.floor((t.start - since) / dt);
              if (i >= 0 && i < points) contribute(i, 1);
              return;
            }
            const first = Math.max(0, Math.floor((t.start - since) / dt));
            const last = Math.min(points - 1, Math.floor((t.stop - since) / dt));
            for (let i = first; i <= last; i++) {
              const lo = since + i * dt;
              const covered = Math.min(t.stop, lo + dt) - Math.max(t.start, lo);
              if (covered > 0) contribute(i, covered / dt);
            }
          });
        };
        const progress = progressBar(since, until);
        await client.request("history", { fq: view.fq, since, until }, (rows) => {
          for (const t of rows.map(view.decode)) {
            progress.update(t.start);
            if (keep(t.values)) add(t);
          }
        });
        progress.done();
        if (factors.length === 0 && columns.size === 0) columns.set("", fields.map(() => Array.from({ length: points }, emptyBucket)));
        const keys = [...columns.keys()].sort();
        // A field declared AGGREGATES USING f is consolidated with f.
        const howOf = (k: number): Consolidation => {
          const declared = view.fn.output[k]?.aggregate;
          return declared === "min" || declared === "max" || declared === "avg" || declared === "sum" ? declared : opts.consolidation;
        };
        const heads = keys.flatMap((key) =>
          fields.map((k) => (fields.length === 1 ? (factors.length === 0 ? view.fields[k]!.name : key) : factors.length === 0 ? view.fields[k]!.name : `${view.fields[k]!.name}(${key})`)),
        );
        const offset = opts.bucketTime === "middle" ? dt / 2 : opts.bucketTime === "end" ? dt : 0;
        const lines: TableCell[][] = Array.from({ length: points }, (_, i) => [
          formatDate(since + i * dt + offset),
          ...keys.flatMap((key) => fields.map((k, f) => consolidate(columns.get(key)![f]![i]!, howOf(k)))),
        ]);
        if (opts.pretty) {
          const table = formatTable([{ name: "Time", kind: "string" }, ...heads.map((name) => ({ name, kind: "float" as const }))], lines, { pretty: true });
          for (const l of table) process.stdout.write(l + "\n");
          return;
        }
        if (opts.withHeader) process.stdout.write(["#Time", ...heads].join(opts.separator) + "\n");
        for (const l of lines) process.stdout.write(l.map((c, i) => (i === 0 ? c : c === null ? opts.null : formatFloat(c as number))).join(opts.separator) + "\n");
      } finally {
        client.close();
      }
    });
}
