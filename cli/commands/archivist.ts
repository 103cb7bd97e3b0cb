// `ramen archivist` (cli-runtime.md §6.12): statistics, allocations with Z3.

import type { Command } from "commander";
import { formatDiagnostic, RamenError } from "../../grammar/diagnostics.js";
import { allocate, archivistPaths, refreshStats } from "../../runtime/archivist/index.js";
import { definedFunctions } from "../../runtime/supervisor/defined.js";
import { SupervisorClient } from "../client.js";
import { UsageError } from "../errors.js";
import { periodSeconds, repeatEvery } from "../options.js";
import { log } from "../log.js";
import { GlobalOptions, siteOf, stateDirOf } from "../state.js";

interface ArchivistOptions {
  reconfWorkers?: boolean;
  stats?: boolean;
  allocs?: boolean;
  smt2?: boolean;
  dryRun?: boolean;
  loop?: string | boolean;
}

const DEFAULT_LOOP_SECONDS = 600;

async function onePass(stateDir: string, site: string, opts: ArchivistOptions): Promise<void> {
  const paths = archivistPaths(stateDir, site);
  if (opts.stats) {
    // The running configuration says which functions exist and their parents; the saved runtime records are folded.
    const running = new Map(definedFunctions(stateDir).map((d) => [d.fq, { parents: d.parents, isRunning: true }]));
    const stats = refreshStats(stateDir, site, running, { dryRun: Boolean(opts.dryRun) });
    // with --smt2, stdout holds the SMT2 text only
    if (!opts.smt2) log.info(`Statistics of ${stats.size} function(s) ${opts.dryRun ? "computed" : "written in " + paths.stats}`);
  }
  if (opts.allocs || opts.smt2) {
    const result = await allocate(stateDir, site, { dryRun: Boolean(opts.dryRun) });
    if (opts.smt2) process.stdout.write(result.smt2);
    for (const d of result.diagnostics) if (d.severity === "warning") log.warning(formatDiagnostic(d));
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    if (result.kind === "unsatisfiable") throw new RamenError(errors);
    // errors that do not stop the archivist: a PERSIST FOR parameter without value, a cost beyond INVALID
    for (const d of errors) log.error(formatDiagnostic(d));
    // the summary would be mixed into the SMT2 text on stdout
    if (!opts.smt2) for (const [fq, bytes] of Object.entries(result.allocations)) log.info(`${fq}: ${bytes} bytes`);
  }
  if (opts.reconfWorkers && !opts.dryRun) {
    const client = await SupervisorClient.connect(stateDir);
    try {
      const { archiving } = await client.request<{ archiving: number }>("reconf");
      log.info(`${archiving} function(s) archiving`);
    } finally {
      client.close();
    }
  }
}

export function registerArchivist(program: Command): void {
  program
    .command("archivist")
    .description("compute the archive allocation of each function from statistics and retention wishes (Z3)")
    .option("--stats", "refresh the per-function statistics used by the allocation")
    .option("--allocs", "compute allocations (solving with z3)")
    .option("--smt2", "print the optimisation problem given to the solver (implies --allocs)")
    .option("--reconf-workers", "make functions start or stop archiving to match the allocations (through the supervisor)")
    .option("--dry-run", "compute and print, change nothing")
    .option("--loop [secs]", `repeat every SECS seconds (bare: ${DEFAULT_LOOP_SECONDS})`)
    .action(async (opts: ArchivistOptions, cmd: Command) => {
      if (!opts.stats && !opts.allocs && !opts.smt2 && !opts.reconfWorkers) {
        throw new UsageError("Nothing to do: give at least one of --stats, --allocs or --reconf-workers");
      }
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const stateDir = stateDirOf(globals);
      const site = siteOf(globals);
      await repeatEvery(periodSeconds(opts.loop, "--loop", DEFAULT_LOOP_SECONDS), () => onePass(stateDir, site, opts));
    });
}
