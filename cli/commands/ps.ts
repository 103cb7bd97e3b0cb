// `ramen ps [OPTIONS] [PATTERN]` (cli-runtime.md §6.4): one line per running function.

import { Command, Option } from "commander";
import type { PsRecord } from "../../runtime/supervisor/supervisor.js";
import { SupervisorClient } from "../client.js";
import { type TableCell, type TableColumn, formatTable } from "../format/table.js";
import { type GlobalOptions, siteOf, stateDirOf } from "../state.js";

interface PsOptions {
  pretty?: boolean;
  withHeader?: boolean;
  withHeaderEvery?: string;
  sort?: string;
  top?: string;
  showAll?: boolean;
}

const COLUMNS: readonly TableColumn[] = [
  { name: "site", kind: "string" },
  { name: "operation", kind: "string" },
  { name: "top-half", kind: "string" },
  { name: "#in", kind: "int" },
  { name: "#selected", kind: "int" },
  { name: "#filtered", kind: "int" },
  { name: "#out", kind: "int" },
  { name: "#errs", kind: "int" },
  { name: "#groups", kind: "int" },
  { name: "max #groups", kind: "int" },
  { name: "last out", kind: "date" },
  { name: "min event time", kind: "date" },
  { name: "max event time", kind: "date" },
  { name: "CPU", kind: "float" },
  { name: "wait in", kind: "float" },
  { name: "wait out", kind: "float" },
  { name: "heap", kind: "bytes" },
  { name: "max heap", kind: "bytes" },
  { name: "volume in", kind: "bytes" },
  { name: "volume out", kind: "bytes" },
  { name: "avg out sz", kind: "bytes" },
  { name: "startup time", kind: "date" },
  { name: "#parents", kind: "int" },
  { name: "#children", kind: "int" },
  { name: "archive size", kind: "bytes" },
  { name: "oldest archived", kind: "date" },
  { name: "archive duration", kind: "duration" },
  { name: "worker signature", kind: "string" },
  { name: "precomp signature", kind: "string" },
  { name: "state", kind: "string" },
];

const SHOW_ALL_COLUMNS: readonly TableColumn[] = [
  { name: "last exit", kind: "date" },
  { name: "last exit status", kind: "string" },
];

/** A number from JSON (non-finite ones travel as null): unknown as undefined. */
const known = (x: number | null | undefined): number | undefined => (x === null || x === undefined || !Number.isFinite(x) ? undefined : x);

function row(site: string, r: PsRecord, showAll: boolean): TableCell[] {
  if (r.broken !== undefined) return [site, r.fq, ...Array<TableCell>(COLUMNS.length - 2).fill(undefined), undefined, r.broken];
  const s = r.stats;
  const started = known(r.startupTime);
  const cells: TableCell[] = [
    site,
    r.fq,
    "",
    ...(started === undefined
      ? Array<TableCell>(19).fill(undefined)
      : [
          s.inTuples,
          s.selected,
          s.filtered,
          s.outTuples,
          s.errors,
          s.groups,
          s.maxGroups,
          known(s.lastOutput),
          known(s.minEventTime),
          known(s.maxEventTime),
          s.cpu,
          s.waitIn,
          s.waitOut,
          s.heap,
          s.maxHeap,
          s.bytesIn,
          s.bytesOut,
          s.outTuples > 0 ? Math.round(s.bytesOut / s.outTuples) : undefined,
          started,
        ]),
    r.parents,
    r.children,
    undefined,
    undefined,
    undefined,
    r.workerSignature,
    r.precompSignature,
    r.state,
  ];
  if (showAll) cells.push(r.lastExit?.time, r.lastExit?.status);
  return cells;
}

export function registerPs(program: Command): void {
  program
    .command("ps")
    .description("list the running functions with their statistics")
    .argument("[pattern]", "glob over fq names", "*")
    .option("--pretty", "aligned columns")
    .option("-h, --with-header", "header line (--with-header=N: every N lines)")
    .addOption(new Option("--with-header-every <n>").hideHelp())
    .option("-s, --sort <col>", "sort by this column (number or name prefix)", "1")
    .option("-t, --top <n>", "keep the first N lines")
    .addOption(new Option("-a, --show-all", "also functions that cannot run, and the last exit").env("RAMEN_SHOW_ALL"))
    .addOption(new Option("--only-sites <glob>").hideHelp())
    .action(async (pattern: string, opts: PsOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const client = await SupervisorClient.connect(stateDirOf(globals));
      let records: PsRecord[];
      try {
        records = await client.request<PsRecord[]>("ps", { pattern, showAll: Boolean(opts.showAll) });
      } finally {
        client.close();
      }
      const showAll = Boolean(opts.showAll);
      const columns = showAll ? [...COLUMNS, ...SHOW_ALL_COLUMNS] : COLUMNS;
      const site = siteOf(globals);
      const withHeader = opts.withHeaderEvery !== undefined ? Number(opts.withHeaderEvery) : opts.withHeader ? true : undefined;
      const lines = formatTable(
        columns,
        records.map((r) => row(site, r, showAll)),
        {
          pretty: Boolean(opts.pretty),
          ...(withHeader !== undefined ? { withHeader } : {}),
          ...(opts.sort !== undefined ? { sort: opts.sort } : {}),
          ...(opts.top !== undefined ? { top: Number(opts.top) } : {}),
        },
      );
      for (const l of lines) process.stdout.write(l + "\n");
    });
}
