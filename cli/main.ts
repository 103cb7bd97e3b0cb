#!/usr/bin/env node
// The `ramen` command: global options, sub-commands, and the one place that
// turns errors into messages and exit codes (cli-runtime.md §4, §5).

import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import { formatDiagnostic, isRamenError } from "../grammar/diagnostics.js";
import { UsageError } from "./errors.js";
import { configureLog } from "./log.js";

type Register = (program: Command) => void;

/**
 * The commands, each loaded only when used: a command's modules (the
 * compiler, the supervisor, piscina, Arrow…) are not worth loading for another.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  compile: async () => (await import("./commands/compile.js")).registerCompile,
  info: async () => (await import("./commands/info.js")).registerInfo,
  fmt: async () => (await import("./commands/fmt.js")).registerFmt,
  functions: async () => (await import("./commands/functions.js")).registerFunctions,
  archivist: async () => (await import("./commands/archivist.js")).registerArchivist,
  test: async () => (await import("./commands/test.js")).registerTest,
  supervisor: async () => (await import("./commands/supervisor.js")).registerSupervisor,
  start: async () => (await import("./commands/supervisor.js")).registerStart,
  run: async () => (await import("./commands/run.js")).registerRun,
  kill: async () => (await import("./commands/kill.js")).registerKill,
  ps: async () => (await import("./commands/ps.js")).registerPs,
  tail: async () => (await import("./commands/tail.js")).registerTail,
  notify: async () => (await import("./commands/notify.js")).registerNotify,
  gc: async () => (await import("./commands/gc.js")).registerGc,
  replay: async () => (await import("./commands/replay.js")).registerReplay,
  timeseries: async () => (await import("./commands/timeseries.js")).registerTimeseries,
};

const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Options of Ramen that only make sense with its configuration server: refused, not ignored. */
const CONFSERVER_OPTIONS = ["confserver", "confserver-key", "username", "identity", "pub-key", "priv-key", "masters"];

/** Commands of Ramen's internal architecture that this design replaces (cli-runtime.md §6.15). */
const NOT_CARRIED_OVER = new Set([
  "confserver", "confclient", "precompserver", "execompserver", "choreographer", "replayer", "tunneld",
  "useradd", "userdel", "usermod", "variants", "links", "dequeue", "repair-ringbuf", "dump-ringbuf",
  "_profile", "_expand",
]);

/** The program with the commands `args` names (all of them for help or an unknown command). */
async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command("ramen");
  program
    .description("A stream processor for human-scale monitoring and alerting")
    .version("v" + VERSION, "--version", "print the version and exit")
    .helpOption("--help", "print help")
    .addOption(new Option("--persist-dir <path>", "state directory").env("RAMEN_DIR"))
    .addOption(new Option("-d, --debug", "debug logs").env("RAMEN_DEBUG"))
    .addOption(new Option("-q, --quiet", "no info logs").env("RAMEN_QUIET"))
    .addOption(new Option("--dont-log-time", "no time prefix on log lines").env("RAMEN_DONT_LOG_TIME"))
    .addOption(new Option("--rand-seed, --seed <n>", "seed of the random generators").env("RAMEN_RANDOM_SEED"))
    .addOption(new Option("--site <name>", "this site's name").env("HOSTNAME"))
    .addOption(new Option("--colors <when>", "ANSI colours").choices(["never", "always"]).env("RAMEN_COLORS"))
    .addOption(new Option("--variant <exp=var,...>", "accepted and ignored (no experiments here)").env("RAMEN_VARIANTS"))
    .enablePositionalOptions(false)
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(usageErrorText(text)) })
    .exitOverride();
  for (const name of CONFSERVER_OPTIONS) program.addOption(new Option(`--${name} <value>`).hideHelp());

  program.hook("preAction", (_root, action) => {
    const o = action.optsWithGlobals();
    for (const name of CONFSERVER_OPTIONS) {
      const key = name.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
      if (o[key] !== undefined) {
        throw new UsageError(`Option --${name} is not supported: this ramen has no configuration server`);
      }
    }
    if (o.quiet && o.debug) throw new UsageError("--quiet and --debug are incompatible");
    configureLog({ quiet: Boolean(o.quiet), debug: Boolean(o.debug), logTime: !o.dontLogTime });
  });

  const named = args.find((a) => Object.hasOwn(COMMANDS, a));
  const wanted =
    named !== undefined && !args.includes("--help") ? [named] : args.includes("--version") && !args.includes("--help") ? [] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((c) => COMMANDS[c]!()))) register(program);
  return program;
}

/** Commander's usage errors, in the words of cli-runtime.md §6.15 where it has some. */
function usageErrorText(text: string): string {
  const unknown = /^error: unknown command '([^']*)'/.exec(text);
  return unknown ? `Unknown command "${unknown[1]}"\n` : text;
}

/** Commands whose options have several long spellings in the spec (commander takes one per option). */
const TABLE_COMMANDS = new Set(["tail", "ps", "replay", "stats"]);

/**
 * The spec's synonyms and `=N` values rewritten to the options commander
 * knows: `--header` is `--with-header`, `--with-header=N` is a header every N
 * lines (a value only with `=`, so that `-h FUNCTION` keeps its argument).
 */
function spellingsOfSpec(args: readonly string[]): string[] {
  if (!TABLE_COMMANDS.has(args.find((a) => !a.startsWith("-")) ?? "")) return [...args];
  return args.flatMap((a) => {
    const every = /^--(?:with-header|header)=(.*)$/.exec(a);
    if (every) return ["--with-header-every", every[1]!];
    if (a === "--header") return ["--with-header"];
    if (a === "--units") return ["--with-units"];
    if (a === "--with-times" || a === "--event-times") return ["--with-event-times"];
    return [a];
  });
}

async function main(argv: string[]): Promise<number> {
  // `ramen … | head`: a reader that goes away is not an error of ours
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  const args = argv.slice(2);
  if (args.length > 0 && NOT_CARRIED_OVER.has(args[0]!)) {
    process.stderr.write(`Unknown command "${args[0]}"\n`);
    return 1;
  }
  const program = await buildProgram(args);
  args.splice(0, args.length, ...spellingsOfSpec(args));
  argv = [...argv.slice(0, 2), ...args];
  if (args.length === 0) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  const debug = args.includes("--debug") || args.includes("-d") || Boolean(process.env["RAMEN_DEBUG"]);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, debug);
  }
}

/** User errors: message, exit 1. Bugs: message (stack with --debug), exit 2. */
function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are successes
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0) return 0;
    return 1;
  }
  if (isRamenError(err)) {
    for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + "\n");
    return 1;
  }
  if (err instanceof UsageError) {
    process.stderr.write(err.message + "\n");
    return 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`Internal error: ${e.message}\n`);
  if (debug && e.stack) process.stderr.write(e.stack + "\n");
  return 2;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err, true);
  },
);
