// `ramen supervisor [OPTIONS]` (cli-runtime.md §6.11): the daemon of the state directory.

import { Command, Option } from "commander";
import { UsageError } from "../errors.js";
import { fileLog, hostSupervisor, untilSignal } from "../hosting.js";
import { log } from "../log.js";
import { type GlobalOptions, siteOf, stateDirOf } from "../state.js";
import { supervisorPaths } from "../../runtime/supervisor/state.js";

interface SupervisorCommandOptions {
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
    .option("--max-threads <n>", "most worker threads", "256")
    .option("--link-size <bytes>", "capacity of each link", String(8 * 1024 * 1024))
    .addOption(new Option("--kill-at-exit", "accepted: functions always stop with the supervisor").env("RAMEN_KILL_AT_EXIT"))
    .option("--fail-for-good", "never restart crashed functions")
    .action(async (options: SupervisorCommandOptions, command: Command) => {
      const opts = { ...options, stdout: Boolean(options.stdout || options.toStdout || options.stderr || options.toStderr), syslog: Boolean(options.syslog || options.toSyslog) };
      if (opts.daemonize && opts.stdout) throw new UsageError("Options --daemonize and --stdout are incompatible.");
      if (opts.syslog && opts.stdout) throw new UsageError("Options --syslog and --stdout are incompatible.");
      if (opts.daemonize) throw new UsageError("Option --daemonize is not supported: run the supervisor under a service manager.");
      if (opts.syslog) throw new UsageError("Option --syslog is not supported.");
      const globals = command.optsWithGlobals() as GlobalOptions & { debug?: boolean; seed?: string };
      const stateDir = stateDirOf(globals);
      const logTo = opts.stdout ? log : fileLog(stateDir, Boolean(globals.debug));
      if (!opts.stdout) process.stdout.write(`Will log in ${supervisorPaths(stateDir).log}\n`);
      const hosted = await hostSupervisor({
        stateDir,
        site: siteOf(globals),
        log: logTo,
        persistent: true,
        maxThreads: Number(opts.maxThreads),
        linkSize: Number(opts.linkSize),
        ...(globals.seed !== undefined ? { seed: Number(globals.seed) } : {}),
        failForGood: Boolean(opts.failForGood),
      });
      logTo.info(`supervisor started on ${stateDir} (pid ${process.pid})`);
      await hosted.supervisor.restoreRunningConfig();
      await untilSignal();
      logTo.info("supervisor stopping");
      await hosted.stop();
    });
}
