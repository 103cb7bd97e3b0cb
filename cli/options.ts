// Helpers for commander options shared by the commands.

import { setTimeout as sleep } from "node:timers/promises";
import { type Command, Option } from "commander";
import { UsageError } from "./errors.js";

/** Accumulates the values of a repeatable option (`-L a -L b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The output options of `tail` and `replay` (cli-runtime.md §6.5, §6.6). */
export function withTupleOutputOptions(command: Command): Command {
  return command
    .option("-h, --with-header", "header line (--with-header=N: every N lines)")
    .addOption(new Option("--with-header-every <n>").hideHelp())
    .option("-u, --with-units", "units after the header names")
    .addOption(new Option("--separator <s>", "between values").env("RAMEN_CSV_SEPARATOR").default(","))
    .addOption(new Option("--null <s>", "text of NULL").env("RAMEN_CSV_NULL").default("<NULL>"))
    .option("--raw", "strings without quotes nor escapes")
    .option("-w, --where <filter>", 'filter "FIELD OP VALUE" (repeatable, ANDed)', collect)
    .option("-t, --with-event-times", "event start and stop first")
    .option("--pretty", "an aligned table")
    .option("--flush", "flush after each line");
}

/**
 * The period of a repeating option (`--loop [secs]`, `--gc-loop secs`):
 * undefined when absent, `bare` seconds when given without a value, else a
 * positive number of seconds.
 */
export function periodSeconds(value: string | boolean | undefined, option: string, bare?: number): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return bare;
  const seconds = Number(value);
  if (!(seconds > 0 && Number.isFinite(seconds))) throw new UsageError(`${option} takes a positive number of seconds, not "${value}"`);
  return seconds;
}

/** Runs `pass` once, then every `seconds` (never again when undefined). */
export async function repeatEvery(seconds: number | undefined, pass: () => unknown): Promise<void> {
  await pass();
  while (seconds !== undefined) {
    await sleep(seconds * 1000);
    await pass();
  }
}
