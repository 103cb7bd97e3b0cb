// `ramen tail [OPTIONS] FUNCTION [FIELD...]` (cli-runtime.md §6.5): the output
// of a running function, its last tuples and/or the next ones.

import type { Command } from "commander";
import { RamenError } from "../../grammar/diagnostics.js";
import { SupervisorClient } from "../client.js";
import { UsageError } from "../errors.js";
import { checkTimeRange, formatTable, parseTime, parseWheres, tailFormatter, type TableCell } from "../format/index.js";
import { untilSignal } from "../hosting.js";
import { type GlobalOptions, stateDirOf } from "../state.js";
import { progressBar } from "../progress.js";
import { type Tuple, workerView } from "../worker-view.js";
import { withTupleOutputOptions } from "../options.js";

interface TailOptions {
  withHeader?: string | boolean;
  withHeaderEvery?: string;
  withUnits?: boolean;
  separator: string;
  null: string;
  raw?: boolean;
  last?: string;
  next?: string;
  follow?: boolean;
  where?: string[];
  withEventTimes?: boolean;
  pretty?: boolean;
  flush?: boolean;
  since?: string;
  until?: string;
}


export function registerTail(program: Command): void {
  const command = program
    .command("tail")
    .description("print the output of a running function")
    .argument("<function>", "program/function")
    .argument("[fields...]", "the columns to print (default: every public field)")
    .option("-l, --last <n>", "the last N tuples already produced")
    .option("-n, --next <n>", "wait for N new tuples, then exit")
    .option("-f, --follow", "print new tuples until interrupted")
    .option("--since <time>", "history from this time (now, a UNIX time, -1h, 2026-11-25 10:00…)")
    .option("--until <time>", "history until this time");
  withTupleOutputOptions(command)
    .action(async (worker: string, selected: string[], options: TailOptions, command: Command) => {
      // --with-header=N arrives as --with-header-every N (cli/main.ts).
      const opts: TailOptions = { ...options, ...(options.withHeaderEvery !== undefined ? { withHeader: options.withHeaderEvery } : {}) };
      if (opts.follow && opts.next !== undefined) throw new UsageError("Options --follow and --next are incompatible.");
      if (opts.withUnits && opts.withHeader === undefined) throw new UsageError("Option --with-units makes no sense without --with-header.");
      const client = await SupervisorClient.connect(stateDirOf(command.optsWithGlobals() as GlobalOptions));
      try {
        const view = await workerView(client, worker);
        const { fq, fn, decode } = view;
        const allFields = view.fields;
        if (opts.withEventTimes && !fn.eventTime) throw RamenError.of("noEventTime");
        const format = tailFormatter(allFields, {
          separator: opts.separator,
          nullText: opts.null,
          raw: Boolean(opts.raw),
          ...(opts.withHeader !== undefined ? { withHeader: opts.withHeader === true ? true : Number(opts.withHeader) } : {}),
          withUnits: Boolean(opts.withUnits),
          withEventTimes: Boolean(opts.withEventTimes),
          ...(selected.length > 0 ? { selected } : {}),
        });
        const keep = parseWheres(opts.where ?? [], allFields);
        const history = opts.since !== undefined || opts.until !== undefined;
        const defaultLast = opts.last === undefined && opts.next === undefined && !opts.follow && !history;
        const last = defaultLast ? 10 : opts.last !== undefined ? Number(opts.last) : 0;
        const next = opts.follow ? Infinity : opts.next !== undefined ? Number(opts.next) : 0;
        const pretty: TableCell[][] = [];
        const out = (t: Tuple) => {
          if (opts.pretty) return void pretty.push(format.cells(t.values, t.start, t.stop));
          const h = format.header();
          if (h !== undefined) process.stdout.write(h + "\n");
          process.stdout.write(format.line(t.values, t.start, t.stop) + "\n");
        };
        // History (archival.md §6): from the archives, before any live tuple.
        if (opts.since !== undefined || opts.until !== undefined) {
          const now = Date.now() / 1000;
          const since = opts.since !== undefined ? parseTime(opts.since, now) : -Infinity;
          const until = opts.until !== undefined ? parseTime(opts.until, now) : opts.follow || opts.next !== undefined ? Infinity : now;
          checkTimeRange(since, until);
          const live = opts.follow === true || opts.next !== undefined;
          if (!live) {
            const progress = progressBar(since, Math.min(until, now));
            await client.request("history", { fq, since: Number.isFinite(since) ? since : null, until: Math.min(until, now) }, (rows) => {
              for (const t of rows.map(decode)) {
                if (keep(t.values)) {
                  // Lines go to the terminal too: the bar is erased before, redrawn later.
                  progress.done();
                  out(t);
                }
                progress.update(t.start);
              }
            });
            progress.done();
          } else {
            // The past, then seamlessly the live rows (archival.md §6.7); -n counts live rows only.
            const limit = opts.follow ? Infinity : Number(opts.next);
            let seenLive = 0;
            let isLive = false;
            let done: () => void = () => {};
            const enough = new Promise<void>((resolve) => (done = resolve));
            const stream = client.request("history", { fq, since: Number.isFinite(since) ? since : null, until: Number.isFinite(until) ? until : null, follow: true }, (rows) => {
              // The supervisor marks the hand-off with an empty batch.
              if (rows.length === 0) isLive = true;
              for (const t of rows.map(decode)) {
                if (!keep(t.values) || seenLive >= limit) continue;
                out(t);
                if (isLive && ++seenLive >= limit) done();
              }
            });
            await Promise.race([enough, untilSignal(), stream]);
            return;
          }
        }
        // The last tuples, filtered before they are counted.
        if (last > 0) {
          const cached: Tuple[] = [];
          await client.request("tail", { fq, last: 1000, follow: false }, (rows) => cached.push(...rows.map(decode)));
          for (const t of cached.filter((t) => keep(t.values)).slice(-last)) out(t);
        }
        if (next > 0) {
          let seen = 0;
          let done: () => void = () => {};
          const enough = new Promise<void>((resolve) => (done = resolve));
          const stream = client.request("tail", { fq, follow: true }, (rows) => {
            for (const t of rows.map(decode)) {
              if (seen >= next || !keep(t.values)) continue;
              out(t);
              if (++seen >= next) done();
            }
          });
          const how = await Promise.race([enough.then(() => "enough" as const), untilSignal(), stream.then(() => "ended" as const)]);
          if (how !== "enough" && how !== "ended" && !opts.follow) process.exitCode = 130;
        }
        if (opts.pretty) {
          for (const l of formatTable(format.tableColumns(), pretty, { pretty: true })) process.stdout.write(l + "\n");
        } else if (last === 0 && next === 0 && !history) {
          const h = format.header();
          if (h !== undefined) process.stdout.write(h + "\n");
        }
      } finally {
        client.close();
      }
    });
}
