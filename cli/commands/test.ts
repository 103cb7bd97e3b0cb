// `ramen test [OPTIONS] FILE...` (test-format.md §4): each test file runs in
// its own temporary state directory on the embedded engine; one checker per
// `outputs` entry reads its function's output through a probe.

import { Command, Option } from "commander";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generateModule } from "../../compiler/codegen/module.js";
import { type ProgramIR, valueFromJson, valueToJson } from "../../compiler/ir.js";
import { RamenError, diag, formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import type { SourceFile } from "../../grammar/source.js";
import type { Value } from "../../stdlib/values.js";
import { storeProgram } from "../../runtime/supervisor/state.js";
import { Checker, type CompiledOutput, compileOutput, paramValue, testDescription, type TestDescription, type TestProgram } from "../../runtime/testing/index.js";
import { type Hosted, hostSupervisor } from "../hosting.js";
import { log } from "../log.js";
import { ProgramLoader } from "../programs.js";
import { readSource } from "../sources.js";

interface TestOptions {
  keepTempFiles?: boolean;
  timeoutFactor?: string;
}

interface GlobalTestOptions {
  seed?: string;
}

/** How often checkers look at the clock, in ms. */
const CHECK_PERIOD_MS = 50;

/** `$TMPDIR/ramen_test.<pid>`, with a numbered suffix when it exists. */
function freshStateDir(): string {
  const base = path.join(tmpdir(), `ramen_test.${process.pid}`);
  let dir = base;
  for (let n = 1; existsSync(dir); n++) dir = `${base}.${n}`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

interface CompiledSource {
  readonly source: SourceFile;
  readonly ir: ProgramIR;
  /** the generated module (JavaScript) */
  readonly module: string;
}

/** Compiles every distinct source of the test (§4.1 step 4); lib path = the test's directory. */
async function compileSources(test: TestDescription): Promise<Map<string, CompiledSource>> {
  const loader = new ProgramLoader([path.dirname(test.file)]);
  const compiled = new Map<string, CompiledSource>();
  for (const p of test.programs) {
    if (compiled.has(p.sourcePath)) continue;
    let source: SourceFile;
    let ir: ProgramIR;
    try {
      source = readSource(p.sourcePath);
      const result = loader.check(source, p.name);
      ir = result.ir;
      for (const w of result.warnings) log.debug(formatDiagnostic(w));
    } catch (e) {
      if (!isRamenError(e)) throw e;
      throw new RamenError([diag("testCannotCompile", { name: p.name, error: e.diagnostics[0]?.message ?? "" }), ...e.diagnostics]);
    }
    compiled.set(p.sourcePath, { source, ir, module: generateModule(ir) });
  }
  return compiled;
}

/** The parameter values of one program entry: the defaults, overridden by the entry's `params`. */
function instanceParams(p: TestProgram, ir: ProgramIR, testSource: SourceFile): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const param of ir.params) values[param.name] = valueFromJson(param.default, param.type.type);
  for (const override of p.params) {
    const declared = ir.params.find((d) => d.name === override.name);
    // The message of `ramen run -p` (test-format.md §2.1).
    if (!declared) throw RamenError.of("runUnusedParameter", { names: override.name });
    values[override.name] = paramValue(override, declared.type, testSource);
  }
  return values;
}

/** The static checks of §4.1 step 5: every output names a function of a listed program, specs fit its fields. */
function compileOutputs(test: TestDescription, instances: readonly { name: string; ir: ProgramIR }[]): CompiledOutput[] {
  return test.outputs.map((o) => {
    const slash = o.fq.lastIndexOf("/");
    const program = o.fq.slice(0, Math.max(0, slash));
    const functionName = o.fq.slice(slash + 1);
    const instance = instances.find((i) => i.name === program);
    if (!instance) throw RamenError.of("testUnknownProgram", { program, available: instances.map((i) => i.name).join(", ") });
    const fn = instance.ir.functions.find((f) => f.name === functionName);
    if (!fn) throw RamenError.of("testUnknownFunction", { function: functionName, program });
    if (o.timeout < 0) throw RamenError.of("testNegativeTimeout");
    return compileOutput(o, fn.output);
  });
}

/** Runs one test file; true when it passed. */
async function runTest(file: string, opts: TestOptions, globals: GlobalTestOptions): Promise<boolean> {
  const name = path.basename(file, path.extname(file));
  const stateDir = freshStateDir();
  log.debug(`Test ${name}: state directory ${stateDir}`);
  let hosted: Hosted | undefined;
  try {
    // Read once: its text also serves the messages about parameter values.
    const testSource = readSource(file);
    const test = testDescription(testSource);
    for (const w of test.warnings) log.warning(formatDiagnostic(w));
    const compiled = await compileSources(test);
    const instances = test.programs.map((p) => {
      const c = compiled.get(p.sourcePath)!;
      return { program: p, compiled: c, params: instanceParams(p, c.ir, testSource) };
    });
    const outputs = compileOutputs(
      test,
      instances.map((i) => ({ name: i.program.instanceName, ir: i.compiled.ir })),
    );
    const timeoutFactor = opts.timeoutFactor !== undefined ? Number(opts.timeoutFactor) : Number(process.env["RAMEN_TEST_TIMEOUT_FACTOR"] ?? 1);
    // An embedded supervisor on the temporary state directory, in test mode (§4.1 step 3).
    hosted = await hostSupervisor({
      stateDir,
      site: "test",
      persistent: false,
      startLazy: true,
      ...(globals.seed !== undefined ? { seed: Number(globals.seed) } : {}),
    });
    const supervisor = hosted.supervisor;
    const programs = instances.map((i) => {
      const { signature, stored } = storeProgram(stateDir, i.program.instanceName, i.compiled.ir, i.compiled.module);
      const params = Object.fromEntries(Object.entries(i.params).map(([k, v]) => [k, valueToJson(v)]));
      return {
        entry: { program: i.program.instanceName, params, cwd: path.dirname(i.program.sourcePath), report_period: 30, debug: false, signature },
        ir: i.compiled.ir,
        moduleFile: stored.moduleFile,
      };
    });
    const checks: { checker: Checker; cancel: () => void }[] = [];
    let startTime = 0;
    // Probes first, then the release (§4.1 steps 7–8): the checkers see every tuple.
    await supervisor.add(programs, false, () => {
      startTime = Date.now() / 1000;
      for (const output of outputs) {
        const checker = new Checker(output, { startTime, timeoutFactor });
        let cancel = () => {};
        if (checker.state === "running" && supervisor.hasFunction(output.fq)) {
          const width = output.fields.length;
          const sub = supervisor.subscribe(output.fq, (rows) => {
            for (const row of rows) if (checker.feed(row.slice(0, width), Date.now() / 1000) !== "running") break;
            if (checker.state !== "running") sub.cancel();
          });
          cancel = () => sub.cancel();
        }
        checks.push({ checker, cancel });
      }
    });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now() / 1000;
        let done = true;
        for (const c of checks) {
          if (c.checker.tick(now) === "running") done = false;
          else c.cancel();
        }
        if (done) {
          clearInterval(timer);
          resolve();
        }
      }, CHECK_PERIOD_MS);
    });
    const ps = supervisor.ps();
    await hosted.stop();
    hosted = undefined;
    let ok = true;
    for (const c of checks) {
      for (const d of c.checker.diagnostics) {
        if (d.severity === "error") log.error(d.message);
        else log.warning(d.message);
      }
      if (c.checker.state !== "success") ok = false;
    }
    for (const f of ps) if (f.broken === undefined && f.stats.errors > 0) log.info(`${f.fq}: ${f.stats.errors} errors!`);
    if (ok) log.info(`Test ${name}: Success`);
    else log.error(`Test ${name}: FAILURE`);
    return ok;
  } catch (e) {
    if (!isRamenError(e)) throw e;
    for (const d of e.diagnostics) log.error(d.source ? formatDiagnostic(d) : d.message);
    log.error(`Test ${name}: FAILURE`);
    return false;
  } finally {
    await hosted?.stop();
    if (!opts.keepTempFiles) rmSync(stateDir, { recursive: true, force: true });
    else log.info(`Test ${name}: state directory kept in ${stateDir}`);
  }
}

export function registerTest(program: Command): void {
  program
    .command("test")
    .description("run programs and check their outputs against a .test file")
    .argument("<file...>", "test files")
    .option("-S, --keep-temp-files", "keep the temporary state directory")
    .addOption(new Option("--timeout-factor <f>", "multiply every timeout").env("RAMEN_TEST_TIMEOUT_FACTOR"))
    .addOption(new Option("--external-compiler <x>").hideHelp())
    .addOption(new Option("--max-simultaneous-compilations <n>").hideHelp())
    .addOption(new Option("--smt-solver <x>").hideHelp())
    .addOption(new Option("--dessser-code-generator <x>").hideHelp())
    .addOption(new Option("-O, --optimization-level <n>").hideHelp())
    .addOption(new Option("--bundle-dir <p>").hideHelp())
    .addOption(new Option("--libs <p>").env("RAMEN_LIBS").hideHelp())
    .action(async (files: string[], opts: TestOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalTestOptions;
      let failed = false;
      for (const file of files) if (!(await runTest(file, opts, globals))) failed = true;
      if (failed) process.exitCode = 1;
    });
}
