// `ramen replay [OPTIONS] FUNCTION [FIELD...]` (cli-runtime.md §6.6): a
// function's output over a past range, from its archive or rebuilt from its
// archived ancestors, then exit.

import { Command, Option } from "commander";
import { RamenError } from "../../grammar/diagnostics.js";
import { SupervisorClient } from "../client.js";
import { UsageError } from "../errors.js";
import { type TableCell, checkTimeRange, formatTable, parseTime, parseWheres, tailFormatter } from "../format/index.js";
import { withTupleOutputOptions } from "../options.js";
import { progressBar } from "../progress.js";
import { type GlobalOptions, stateDirOf } from "../state.js";
import { workerView } from "../worker-view.js";

interface ReplayOptions {
  since?: string;
  until?: string;
  withHeader?: boolean;
  withHeaderEvery?: string;
  withUnits?: boolean;
  separator: string;
  null: string;
  raw?: boolean;
  where?: string[];
  withEventTimes?: boolean;
  pretty?: boolean;
  flush?: boolean;
  via?: string;
}

export function registerReplay(program: Command): void {
  const command = program
    .command("replay")
    .description("print a function's output over a past time range")
    .argument("<function>", "program/function")
    .argument("[fields...]", "the columns to print (default: every public field)")
    .option("--since <time>", "start of the range (mandatory)")
    .option("--until <time>", "end of the range (default: now)");
  withTupleOutputOptions(command)
    .addOption(new Option("--via <how>", "accepted and ignored: replays always go through the supervisor").hideHelp())
    .action(async (worker: string, selected: string[], opts: ReplayOptions, command: Command) => {
      if (opts.since === undefined) throw new UsageError("Option --since is mandatory.");
      if (opts.withUnits && !opts.withHeader && opts.withHeaderEvery === undefined) throw new UsageError("Option --with-units makes no sense without --with-header.");
      const now = Date.now() / 1000;
      const since = parseTime(opts.since, now);
      const until = opts.until !== undefined ? parseTime(opts.until, now) : now;
      checkTimeRange(since, until);
      const client = await SupervisorClient.connect(stateDirOf(command.optsWithGlobals() as GlobalOptions));
      try {
        const view = await workerView(client, worker);
        if (opts.withEventTimes && !view.fn.eventTime) throw RamenError.of("noEventTime");
        const format = tailFormatter(view.fields, {
          separator: opts.separator,
          nullText: opts.null,
          raw: Boolean(opts.raw),
          withHeader: opts.withHeaderEvery !== undefined ? Number(opts.withHeaderEvery) : Boolean(opts.withHeader),
          withUnits: Boolean(opts.withUnits),
          withEventTimes: Boolean(opts.withEventTimes),
          ...(selected.length > 0 ? { selected } : {}),
        });
        const keep = parseWheres(opts.where ?? [], view.fields);
        const pretty: TableCell[][] = [];
        const progress = progressBar(since, until);
        await client.request("history", { fq: view.fq, since, until }, (rows) => {
          for (const t of rows.map(view.decode)) {
            progress.update(t.start);
            if (!keep(t.values)) continue;
            if (opts.pretty) {
              pretty.push(format.cells(t.values, t.start, t.stop));
              continue;
            }
            // Lines go to the terminal too: the bar is erased before, redrawn later.
            progress.done();
            const h = format.header();
            if (h !== undefined) process.stdout.write(h + "\n");
            process.stdout.write(format.line(t.values, t.start, t.stop) + "\n");
          }
        });
        progress.done();
        if (opts.pretty) for (const l of formatTable(format.tableColumns(), pretty, { pretty: true })) process.stdout.write(l + "\n");
      } finally {
        client.close();
      }
    });
}
