// `ramen supervisor [OPTIONS]` (cli-runtime.md §6.11): the daemon of the state directory.

import { Command, Option } from "commander";
import { UsageError } from "../errors.js";
import { periodSeconds } from "../options.js";
import { fileLog, hostSupervisor, untilSignal } from "../hosting.js";
import { log } from "../log.js";
import { type GlobalOptions, siteOf, stateDirOf } from "../state.js";
import { supervisorPaths } from "../../runtime/supervisor/state.js";
import { isRamenError } from "../../grammar/diagnostics.js";
import { DEFAULT_DEL_RATIO, DEFAULT_GRACE } from "../../runtime/archive/gc.js";
import { allocate, refreshStats } from "../../runtime/archivist/index.js";
import { gcPass } from "./gc.js";
import type { Supervisor, SupervisorLog } from "../../runtime/supervisor/supervisor.js";

const DEFAULT_MAX_THREADS = 256;
const DEFAULT_LINK_SIZE = 8 * 1024 * 1024;

interface SupervisorCommandOptions {
  gcLoop?: string;
  archivistLoop?: string;
  stdout?: boolean;
  toStdout?: boolean;
  stderr?: boolean;
  toStderr?: boolean;
  toSyslog?: boolean;
  daemonize?: boolean;
  syslog?: boolean;
  maxThreads?: string;
  linkSize?: string;
  failForGood?: boolean;
}

export function registerSupervisor(program: Command): void {
  program
    .command("supervisor")
    .description("run the supervisor of the state directory")
    .addOption(new Option("--stdout", "log to the terminal instead of the log file").env("RAMEN_LOG_TO_STDERR"))
    .addOption(new Option("--to-stdout").hideHelp())
    .addOption(new Option("--stderr").hideHelp())
    .addOption(new Option("--to-stderr").hideHelp())
    .addOption(new Option("--daemonize", "detach into the background (not supported: use your service manager)").env("RAMEN_DAEMONIZE"))
    .addOption(new Option("--syslog", "log to syslog (not supported)").env("RAMEN_LOG_TO_SYSLOG"))
    .addOption(new Option("--to-syslog").hideHelp())
    .option("--max-threads <n>", "most worker threads", String(DEFAULT_MAX_THREADS))
    .option("--link-size <bytes>", "capacity of each link", String(DEFAULT_LINK_SIZE))
    .addOption(new Option("--kill-at-exit", "accepted: functions always stop with the supervisor").env("RAMEN_KILL_AT_EXIT"))
    .option("--fail-for-good", "never restart crashed functions")
    .option("--gc-loop <secs>", "also run gc every SECS seconds")
    .option("--archivist-loop <secs>", "also run the archivist (statistics, allocations, reconfiguration) every SECS seconds")
    .action((options: SupervisorCommandOptions, command: Command) => runSupervisor(options, command));
}

/** `ramen start`: the supervisor with gc and the archivist in loops (cli-runtime.md §6.11). */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run the supervisor with gc every 180 s and the archivist every 600 s")
    .option("--stdout", "log to the terminal instead of the log file")
    .action((options: SupervisorCommandOptions, command: Command) => runSupervisor({ ...options, gcLoop: "180", archivistLoop: "600" }, command));
}

async function runSupervisor(options: SupervisorCommandOptions, command: Command): Promise<void> {
  const opts = {
    ...options,
    stdout: Boolean(options.stdout || options.toStdout || options.stderr || options.toStderr),
    syslog: Boolean(options.syslog || options.toSyslog),
  };
  if (opts.daemonize && opts.stdout) throw new UsageError("Options --daemonize and --stdout are incompatible.");
  if (opts.syslog && opts.stdout) throw new UsageError("Options --syslog and --stdout are incompatible.");
  if (opts.daemonize) throw new UsageError("Option --daemonize is not supported: run the supervisor under a service manager.");
  if (opts.syslog) throw new UsageError("Option --syslog is not supported.");
  const gcEvery = periodSeconds(opts.gcLoop, "--gc-loop");
  const archivistEvery = periodSeconds(opts.archivistLoop, "--archivist-loop");
  const globals = command.optsWithGlobals() as GlobalOptions & { debug?: boolean; seed?: string };
  const stateDir = stateDirOf(globals);
  const site = siteOf(globals);
  const logTo = opts.stdout ? log : fileLog(stateDir, Boolean(globals.debug));
  if (!opts.stdout) process.stdout.write(`Will log in ${supervisorPaths(stateDir).log}\n`);
  const hosted = await hostSupervisor({
    stateDir,
    site,
    log: logTo,
    persistent: true,
    maxThreads: Number(opts.maxThreads ?? DEFAULT_MAX_THREADS),
    linkSize: Number(opts.linkSize ?? DEFAULT_LINK_SIZE),
    ...(globals.seed !== undefined ? { seed: Number(globals.seed) } : {}),
    failForGood: Boolean(opts.failForGood),
  });
  logTo.info(`supervisor started on ${stateDir} (pid ${process.pid})`);
  await hosted.supervisor.restoreRunningConfig();
  const timers: NodeJS.Timeout[] = [];
  if (gcEvery !== undefined) timers.push(setInterval(() => supervisorGcPass(stateDir, site, hosted.supervisor, logTo), gcEvery * 1000));
  if (archivistEvery !== undefined) {
    let running = false;
    timers.push(
      setInterval(() => {
        if (running) return;
        running = true;
        void archivistPass(stateDir, site, hosted.supervisor, logTo).finally(() => (running = false));
      }, archivistEvery * 1000),
    );
  }
  await untilSignal();
  for (const t of timers) clearInterval(t);
  logTo.info("supervisor stopping");
  await hosted.stop();
}

/** One gc pass over the supervisor's own functions (cli-runtime.md §6.13). */
function supervisorGcPass(stateDir: string, site: string, supervisor: Supervisor, logTo: SupervisorLog): void {
  try {
    const report = gcPass(stateDir, site, supervisor.definedFunctions(), { delRatio: DEFAULT_DEL_RATIO, grace: DEFAULT_GRACE, dryRun: false });
    for (const line of report.lines) logTo.info(line);
  } catch (e) {
    logTo.error(`gc: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** One archivist pass: statistics, allocations, then functions archive accordingly (cli-runtime.md §6.12). */
async function archivistPass(stateDir: string, site: string, supervisor: Supervisor, logTo: SupervisorLog): Promise<void> {
  try {
    const running = new Map(supervisor.definedFunctions().map((d) => [d.fq, { parents: d.parents, isRunning: true }]));
    refreshStats(stateDir, site, running);
    const result = await allocate(stateDir, site);
    for (const d of result.diagnostics) (d.severity === "error" ? logTo.error : logTo.warning)(`archivist: ${d.message}`);
    // Unsatisfiable: the previous allocations stay in force.
    if (result.kind === "solved") logTo.info(`archivist: ${supervisor.reconfigureArchives()} function(s) archiving`);
  } catch (e) {
    const messages = isRamenError(e) ? e.diagnostics.map((d) => d.message) : [e instanceof Error ? e.message : String(e)];
    for (const m of messages) logTo.error(`archivist: ${m}`);
  }
}
