// `ramen gc [OPTIONS]` (cli-runtime.md §6.13): archive files beyond each
// function's allocation, and archives of functions that are gone, deleted.

import { Command, Option } from "commander";
import { archivistPaths, readAllocations } from "../../runtime/archivist/index.js";
import type { FunctionIR } from "../../compiler/ir.js";
import { DEFAULT_DEL_RATIO, DEFAULT_GRACE, type GcReport, runGcPass } from "../../runtime/archive/gc.js";
import { archiveSchemaHash, definedFunctions } from "../../runtime/supervisor/defined.js";
import { UsageError } from "../errors.js";
import { periodSeconds, repeatEvery } from "../options.js";
import { log } from "../log.js";
import { type GlobalOptions, siteOf, stateDirOf } from "../state.js";

interface GcOptions {
  dryRun?: boolean;
  delRatio: string;
  grace: string;
  compressOlder?: string;
  loop?: string | boolean;
  daemonize?: boolean;
}

const DEFAULT_LOOP_SECONDS = 180;

function positive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${option} takes a non-negative number, not "${text}"`);
  return n;
}

/** One gc pass over the archives of the state directory, given the functions that exist (with their current output). */
export function gcPass(
  stateDir: string,
  site: string,
  functions: readonly { readonly fq: string; readonly fn: FunctionIR }[],
  opts: { readonly delRatio: number; readonly grace: number; readonly dryRun: boolean },
): GcReport {
  return runGcPass({
    stateDir,
    site,
    allocations: new Map(Object.entries(readAllocations(archivistPaths(stateDir, site).allocs) ?? {})),
    functions: new Map(functions.map((d) => [d.fq, archiveSchemaHash(d.fn)])),
    ...opts,
    now: Date.now() / 1000,
  });
}

function onePass(stateDir: string, site: string, opts: GcOptions): void {
  const report = gcPass(stateDir, site, definedFunctions(stateDir), {
    delRatio: positive(opts.delRatio, "--del-ratio"),
    grace: positive(opts.grace, "--grace"),
    dryRun: Boolean(opts.dryRun),
  });
  // With --dry-run the would-be deletions are the output; otherwise they are logged.
  for (const line of report.lines) {
    if (opts.dryRun) process.stdout.write(line + "\n");
    else log.info(line);
  }
}

export function registerGc(program: Command): void {
  program
    .command("gc")
    .description("delete archive files beyond each function's allocation")
    .option("--dry-run", "only say what would be deleted")
    .option("--del-ratio <f>", "fraction of the over-quota files deleted per pass", String(DEFAULT_DEL_RATIO))
    .option("--grace <secs>", "how long archives of functions that no longer exist are kept", String(DEFAULT_GRACE))
    .option("--compress-older <duration>", "accepted and ignored: archive files are never compressed")
    .option("--loop [secs]", `repeat every SECS seconds (bare: ${DEFAULT_LOOP_SECONDS})`)
    .addOption(new Option("--daemonize", "detach into the background (not supported)"))
    .action(async (opts: GcOptions, command: Command) => {
      if (opts.daemonize && opts.loop === undefined) throw new UsageError("Option --daemonize needs --loop.");
      if (opts.daemonize) throw new UsageError("Option --daemonize is not supported: run ramen gc --loop under a service manager.");
      if (opts.compressOlder !== undefined) log.warning("--compress-older is ignored: archive files are never compressed in this version");
      const globals = command.optsWithGlobals() as GlobalOptions;
      const stateDir = stateDirOf(globals);
      const site = siteOf(globals);
      await repeatEvery(periodSeconds(opts.loop, "--loop", DEFAULT_LOOP_SECONDS), () => onePass(stateDir, site, opts));
    });
}
