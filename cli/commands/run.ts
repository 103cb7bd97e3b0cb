// `ramen run [OPTIONS] PROGRAM...` (cli-runtime.md §6.2): adds programs to the
// supervisor's running configuration, or with --foreground runs them on an
// embedded supervisor and prints their output until interrupted.

import { Command, Option } from "commander";
import type { FunctionIR } from "../../compiler/ir.js";
import { storeProgram } from "../../runtime/supervisor/state.js";
import type { RunProgram } from "../../runtime/supervisor/control.js";
import { SupervisorClient } from "../client.js";
import { UsageError } from "../errors.js";
import { tailFormatter } from "../format/index.js";
import { hostSupervisor, untilSignal } from "../hosting.js";
import { log } from "../log.js";
import { libPathsOf } from "../programs.js";
import { programsToRun } from "../run-programs.js";
import { type GlobalOptions, siteOf, stateDirOf } from "../state.js";
import { collect } from "../options.js";

interface RunCommandOptions {
  workingDir?: string;
  parameter?: string[];
  as?: string;
  cwd?: string;
  reportPeriod: string;
  replace?: boolean;
  libPath?: string[];
  foreground?: boolean;
  tail?: string[] | false;
  next?: string;
}


/** Functions no other function of their program reads from (§6.2: what the foreground prints by default). */
function leaves(programs: readonly RunProgram[]): string[] {
  return programs.flatMap((p) => {
    const read = new Set(p.ir.functions.flatMap((f) => f.parents.filter((q) => q.sameProgram).map((q) => q.function)));
    return p.ir.functions.filter((f) => !read.has(f.name)).map((f) => `${p.entry.program}/${f.name}`);
  });
}

async function runForeground(programs: RunProgram[], opts: RunCommandOptions, globals: GlobalOptions & { seed?: string }): Promise<void> {
  const stateDir = stateDirOf(globals);
  const hosted = await hostSupervisor({
    stateDir,
    site: siteOf(globals),
    persistent: false,
    ...(globals.seed !== undefined ? { seed: Number(globals.seed) } : {}),
  });
  const sup = hosted.supervisor;
  try {
    await sup.add(
      programs.map((p) => {
        const { signature, stored } = storeProgram(stateDir, p.entry.program, p.ir, p.module);
        return { entry: { ...p.entry, signature }, ir: p.ir, moduleFile: stored.moduleFile };
      }),
      Boolean(opts.replace),
    );
    const fns = new Map<string, FunctionIR>(programs.flatMap((p) => p.ir.functions.map((f) => [`${p.entry.program}/${f.name}`, f] as const)));
    const wanted =
      opts.tail === false
        ? []
        : (opts.tail ?? leaves(programs)).map((name) => {
            if (fns.has(name)) return name;
            const matches = [...fns.keys()].filter((fq) => fq.endsWith(`/${name}`));
            if (matches.length !== 1) throw new UsageError(`Unknown function ${name} (have ${[...fns.keys()].join(", ")})`);
            return matches[0]!;
          });
    const limit = opts.next !== undefined ? Number(opts.next) : Infinity;
    let printed = 0;
    let finish: () => void = () => {};
    const enough = new Promise<void>((resolve) => (finish = resolve));
    const prefix = wanted.length > 1;
    const subs = wanted.map((fq) => {
      const fn = fns.get(fq)!;
      const fields = fn.output.filter((o) => !o.private).map((o) => ({ name: o.name, type: o.type, ...(o.units ? { units: o.units } : {}) }));
      const format = tailFormatter(fields, { separator: ",", nullText: "<NULL>", raw: false, withUnits: false, withEventTimes: false });
      return sup.subscribe(fq, (rows) => {
        for (const row of rows) {
          if (printed >= limit) return;
          process.stdout.write((prefix ? `${fn.name}: ` : "") + format.line(row.slice(0, fields.length)) + "\n");
          if (++printed >= limit) finish();
        }
      });
    });
    if (limit === 0) finish();
    await Promise.race([untilSignal(), enough]);
    for (const s of subs) s.cancel();
  } finally {
    await hosted.stop();
  }
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run programs (on the supervisor, or in the foreground)")
    .argument("<program...>", "compiled files (.x), sources (.ramen) or program names")
    .option("-p, --parameter <name=value>", "parameter value, a RaQL literal (repeatable)", collect)
    .option("--as <name>", "program name to run under (one program only)")
    .option("--cwd <dir>", "working directory of the functions", ".")
    .addOption(new Option("--working-dir <dir>").hideHelp())
    .addOption(new Option("--report-period <secs>", "statistics period").env("RAMEN_REPORT_PERIOD").default("30"))
    .option("-r, --replace", "replace a program of the same name running with other settings")
    .option("-L, --lib-path <path>", "where programs given by name are looked up (repeatable)", collect)
    .option("-F, --foreground", "run on an embedded supervisor and print the output until interrupted")
    .option("--tail <function>", "with --foreground: a function to print (repeatable; default: the leaf functions)", collect)
    .option("--no-tail", "with --foreground: print nothing")
    .option("-n, --next <n>", "with --foreground: stop after N lines")
    .addOption(new Option("--on-site <glob>").hideHelp())
    .action(async (args: string[], opts: RunCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions & { debug?: boolean; seed?: string };
      const programs = programsToRun(args, {
        parameters: opts.parameter ?? [],
        ...(opts.as !== undefined ? { as: opts.as } : {}),
        cwd: opts.workingDir ?? opts.cwd ?? ".",
        reportPeriod: Number(opts.reportPeriod),
        debug: Boolean(globals.debug),
        libPaths: libPathsOf(opts.libPath),
      });
      if (opts.foreground) return runForeground(programs, opts, globals);
      const client = await SupervisorClient.connect(stateDirOf(globals));
      try {
        await client.request("run", { programs, replace: Boolean(opts.replace) });
        log.debug(`started ${programs.map((p) => p.entry.program).join(", ")}`);
      } finally {
        client.close();
      }
    });
}
