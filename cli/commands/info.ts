// `ramen info [-p NAME=VALUE]... PROGRAM [FUNCTION]` (cli-runtime.md §6.8):
// describes a compiled program, a source compiled on the fly, or a program
// looked up by name along the lib paths.

import type { Command } from "commander";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { describeProgram, valueFromJson } from "../../compiler/index.js";
import type { FunctionDescription, ProgramDescription, ProgramIR } from "../../compiler/index.js";
import { RamenError } from "../../grammar/diagnostics.js";
import { renderValue } from "../../stdlib/format.js";
import { readValue } from "../../stdlib/read-value.js";
import type { Value } from "../../stdlib/values.js";
import { UsageError } from "../errors.js";
import { ProgramLoader, libPathsOf, readCompiled } from "../programs.js";
import { programNameOfSource, programSourceName, readSource } from "../sources.js";
import { collect } from "../options.js";

interface InfoOptions {
  param?: string[];
  libPath?: string[];
}


/** Finds the program: a `.x` file, a `.ramen` source, or a name along the lib paths. */
function loadProgram(arg: string, libPaths: readonly string[]): ProgramIR {
  const loader = new ProgramLoader(libPaths);
  if (arg.endsWith(".x")) {
    if (!existsSync(arg)) throw RamenError.of("missingFile", { path: arg, reason: "no such file" });
    const compiled = readCompiled(arg);
    if (!compiled) throw new UsageError(`${arg} is not a compiled program`);
    return compiled.ir;
  }
  if (path.extname(arg) === ".ramen") return loader.compile(readSource(arg), programNameOfSource(arg, libPaths)).compiled.ir;
  for (const lib of libPaths) {
    const base = path.join(lib, ...programSourceName(arg).split("/"));
    const compiled = existsSync(base + ".x") ? readCompiled(base + ".x") : undefined;
    if (compiled) return compiled.ir;
    if (existsSync(base + ".ramen")) return loader.compile(readSource(base + ".ramen"), arg).compiled.ir;
  }
  throw new UsageError(`Cannot find program ${arg} (looked in ${libPaths.join(", ")})`);
}

/** `-p name=value` overrides, read as literals of the parameters' types. */
function parameterValues(ir: ProgramIR, overrides: readonly string[]): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const p of ir.params) values.set(p.name, valueFromJson(p.value, p.type.type));
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq < 0) throw new UsageError(`Invalid parameter "${o}": expected NAME=VALUE`);
    const name = o.slice(0, eq);
    const param = ir.params.find((p) => p.name === name);
    if (!param) throw RamenError.of("noSuchParameter", { name, available: ir.params.map((p) => p.name).join(", ") || "none" });
    values.set(name, readValue(o.slice(eq + 1), param.type));
  }
  return values;
}

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : by + l))
    .join("\n");
}

function describeFunction(f: FunctionDescription): string {
  const lines = [f.name + (f.doc ? `: ${f.doc}` : "")];
  lines.push("  Parents: " + (f.parents.length === 0 ? "none" : f.parents.map((p) => p.fq + (p.site ? ` (on site ${p.site})` : "")).join(", ")));
  lines.push("  Output type:");
  for (const field of f.output) {
    if (field.private) continue;
    lines.push(`    ${field.name}: ${field.type}${field.units ? " " + field.units : ""}${field.doc ? `  -- ${field.doc}` : ""}`);
  }
  lines.push("  Event time: " + (f.eventTime ?? "none"));
  lines.push("  Factors: " + (f.factors.length === 0 ? "none" : f.factors.join(", ")));
  lines.push("  Operation:");
  lines.push(indent(f.operation, "    "));
  lines.push("  Retention: " + (f.retention ?? "none"));
  lines.push("  Lazy: " + (f.lazy ? "yes" : "no"));
  return lines.join("\n");
}

export function describeText(info: ProgramDescription, ir: ProgramIR, values: Map<string, Value>, only?: string): string {
  const lines: string[] = [];
  if (only === undefined) {
    lines.push(`Program: ${info.name}`);
    lines.push("Parameters:" + (ir.params.length === 0 ? " none" : ""));
    for (const p of ir.params) {
      const value = renderValue(values.get(p.name) ?? null, p.type);
      const units = info.parameters.find((d) => d.name === p.name)?.units;
      lines.push(`  ${p.name}: ${info.parameters.find((d) => d.name === p.name)?.type}${units ? " " + units : ""} = ${value}${p.doc ? `  -- ${p.doc}` : ""}`);
    }
    lines.push("Running condition: " + (info.runningCondition ?? "none"));
    lines.push("Functions:");
  }
  const functions = only === undefined ? info.functions : info.functions.filter((f) => f.name === only);
  if (only !== undefined && functions.length === 0) throw new UsageError(`No function ${only} in program ${info.name}`);
  for (const f of functions) lines.push(indent(describeFunction(f), only === undefined ? "  " : ""));
  return lines.join("\n") + "\n";
}

export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("describe a program: parameters, and each function's parents, output type, event time…")
    .argument("<program>", "a compiled program (.x), a source file (.ramen) or a program name")
    .argument("[function]", "describe only this function")
    .option("-p, --param <name=value>", "parameter value (repeatable)", collect)
    .option("-L, --lib-path <path>", "where programs are looked up (repeatable; env RAMEN_PATH)", collect)
    .action((programArg: string, functionName: string | undefined, opts: InfoOptions) => {
      const ir = loadProgram(programArg, libPathsOf(opts.libPath));
      const values = parameterValues(ir, opts.param ?? []);
      process.stdout.write(describeText(describeProgram(ir), ir, values, functionName));
    });
}
