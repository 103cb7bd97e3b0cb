// The meaning of a parsed `.test` file (test-format.md §2): which programs
// run under which names and parameters, and which outputs are checked. Also
// the conversion of parameter values, written with Ramen's value
// constructors (`VU8 1`, `VVec [| … |]`), into values of the declared types.

import * as path from "node:path";
import { RamenError, type Diagnostic, type MessageArgs, type MessageKey } from "../../grammar/diagnostics.js";
import { SourceFile, Span } from "../../grammar/source.js";
import { IntWidth, NType, RecordField, intFits, intTypeName, ntypeToString } from "../../grammar/types.js";
import { programNameOfSource, readSource } from "../../cli/sources.js";
import { maskCidr } from "../../stdlib/net.js";
import { canPromote } from "../../stdlib/typing.js";
import { Value } from "../../stdlib/values.js";
import { LiteralFailure, readLiteral } from "./expect.js";
import { TestValue, kindName, parseTestFile, type RecordEntry } from "./file.js";

export const DEFAULT_TIMEOUT = 20;

export interface TestProgram {
  /** `src` as written */
  readonly src: string;
  /** the source file, resolved against the test file's directory */
  readonly sourcePath: string;
  /** the program name: `src` relative to the test directory, without extension */
  readonly name: string;
  /** the instance suffix (`ext`), "" for none */
  readonly suffix: string;
  /** `name#suffix`, or `name` without a suffix */
  readonly instanceName: string;
  readonly params: readonly TestParam[];
}

/** A parameter override, converted once the program's declared type is known (`paramValue`). */
export interface TestParam {
  readonly name: string;
  readonly value: TestValue;
}

/** One expected field value: the RaQL literal text, read once the field's type is known (expect.ts). */
export interface FieldSpec {
  readonly field: string;
  readonly text: string;
}

export type TupleSpec = readonly FieldSpec[];

export interface TestOutput {
  /** `<program>[#suffix]/<function>` */
  readonly fq: string;
  readonly present: readonly TupleSpec[];
  readonly absent: readonly TupleSpec[];
  /** seconds */
  readonly timeout: number;
}

export interface TestDescription {
  /** the test file as given */
  readonly file: string;
  readonly programs: readonly TestProgram[];
  readonly outputs: readonly TestOutput[];
  readonly warnings: readonly Diagnostic[];
}

/** Reads, parses and validates a test file. */
export function readTestFile(file: string): TestDescription {
  return testDescription(readSource(file));
}

/** Parses and validates a test file's text; `src` paths are relative to the directory of `source.path`. */
export function testDescription(source: SourceFile): TestDescription {
  const parsed = parseTestFile(source);
  const schema = new SchemaReader(source);
  const top = schema.fields(parsed.value, "the test", ["programs", "outputs"], ["programs"]);
  const testDir = path.dirname(source.path);
  const programValues = schema.list(top.get("programs")!, "programs");
  const programs = programValues.map((p) => schema.program(p, testDir));
  const seen = new Set<string>();
  programs.forEach((p, i) => {
    if (seen.has(p.instanceName)) schema.fail("testProgramTwice", { name: p.instanceName }, programValues[i]!.span);
    seen.add(p.instanceName);
  });
  const outputs = top.has("outputs") ? schema.table(top.get("outputs")!, "outputs").map((e) => schema.output(e.key, e.value)) : [];
  return { file: source.path, programs, outputs, warnings: parsed.warnings };
}

class SchemaReader {
  constructor(private readonly source: SourceFile) {}

  fail(key: MessageKey, args: MessageArgs, span: Span): never {
    throw RamenError.of(key, args, { source: this.source, span });
  }

  private wrongType(what: string, expected: string, v: TestValue): never {
    return this.fail("testWrongType", { what, expected, got: kindName(v) }, v.span);
  }

  /** The fields of a record (`{}` counts as an empty one), checked against the allowed and required names. */
  fields(v: TestValue, where: string, allowed: readonly string[], required: readonly string[]): Map<string, TestValue> {
    let entries: readonly RecordEntry[];
    if (v.kind === "record") entries = v.fields;
    else if (v.kind === "table" && v.entries.length === 0) entries = [];
    else return this.wrongType(where, "a record", v);
    const out = new Map<string, TestValue>();
    for (const f of entries) {
      if (!allowed.includes(f.name)) this.fail("testUnknownField", { field: f.name, where, allowed: allowed.join(", ") }, f.nameSpan);
      if (out.has(f.name)) this.fail("testFieldTwice", { field: f.name, where }, f.nameSpan);
      out.set(f.name, f.value);
    }
    for (const name of required) if (!out.has(name)) this.fail("testMissingField", { field: name, where }, v.span);
    return out;
  }

  list(v: TestValue, what: string): readonly TestValue[] {
    if (v.kind === "list") return v.items;
    return this.wrongType(what, "a list [ …; … ]", v);
  }

  table(v: TestValue, what: string): readonly { key: string; value: TestValue }[] {
    if (v.kind === "table") return v.entries;
    return this.wrongType(what, 'a table { "key" => …; … }', v);
  }

  string(v: TestValue, what: string): string {
    if (v.kind === "string") return v.value;
    return this.wrongType(what, "a string", v);
  }

  program(v: TestValue, testDir: string): TestProgram {
    const f = this.fields(v, "program", ["src", "ext", "params"], ["src"]);
    const srcValue = f.get("src")!;
    const src = this.string(srcValue, "src");
    if (path.extname(src) === "") this.fail("testNeedExtension", { src }, srcValue.span);
    const sourcePath = path.resolve(testDir, src);
    const name = programNameOfSource(sourcePath, [testDir]);
    const suffix = f.has("ext") ? this.string(f.get("ext")!, "ext") : "";
    const params = f.has("params") ? this.table(f.get("params")!, "params").map((e) => ({ name: e.key, value: e.value })) : [];
    return { src, sourcePath, name, suffix, instanceName: suffix === "" ? name : `${name}#${suffix}`, params };
  }

  output(fq: string, v: TestValue): TestOutput {
    const where = `output "${fq}"`;
    const f = this.fields(v, where, ["present", "absent", "timeout"], []);
    let timeout = DEFAULT_TIMEOUT;
    const t = f.get("timeout");
    if (t) {
      if (t.kind === "int") timeout = Number(t.value);
      else if (t.kind === "float") timeout = t.value;
      else this.wrongType("timeout", "a number of seconds", t);
      if (!(timeout >= 0)) this.fail("testNegativeTimeout", {}, t.span);
    }
    const specs = (name: string) => (f.has(name) ? this.list(f.get(name)!, name).map((s) => this.tupleSpec(s, name)) : []);
    return { fq, present: specs("present"), absent: specs("absent"), timeout };
  }

  private tupleSpec(v: TestValue, what: string): TupleSpec {
    return this.table(v, `an item of ${what}`).map((e) => ({ field: e.key, text: this.string(e.value, `the expected value of ${e.key}`) }));
  }
}

// ---- parameter values -------------------------------------------------------------------------------

/** Why a constructor value does not fit a type, caught and reported with the parameter's name. */
class Mismatch extends Error {}

/**
 * The value of a parameter override of declared type `t`. `source` is the test
 * file the value comes from (for its text and position in messages).
 */
export function paramValue(param: TestParam, t: NType, source: SourceFile): Value {
  try {
    return convert(param.value, t);
  } catch (e) {
    if (!(e instanceof Mismatch || e instanceof LiteralFailure)) throw e;
    const value = source.text.slice(param.value.span.start, param.value.span.end);
    throw RamenError.of("testBadParameter", { name: param.name, value, reason: e.message }, { source, span: param.value.span });
  }
}

function mismatch(v: TestValue, t: NType): never {
  throw new Mismatch(`expected ${ntypeToString(t)}, got ${kindName(v)}`);
}

const INT_CONSTRUCTOR_RE = /^V([UI])(8|16|24|32|40|48|56|64|128)$/;

function convert(v: TestValue, t: NType): Value {
  // The RaQL-literal extension: a plain string where no string is expected.
  if (v.kind === "string" && t.type.tag !== "string") return readLiteral(v.value, t);
  if (v.kind !== "constructor") return mismatch(v, t);
  if (v.name === "VNull") {
    if (v.arg) return mismatch(v, t);
    if (!t.nullable) throw new Mismatch(`NULL is not a value of the non-nullable type ${ntypeToString(t)}`);
    return null;
  }
  return convertNotNull(v, t);
}

function convertNotNull(v: Extract<TestValue, { kind: "constructor" }>, t: NType): Value {
  const type = t.type;
  const arg = v.arg;
  const intMatch = INT_CONSTRUCTOR_RE.exec(v.name);
  if (intMatch) {
    const from = { tag: "int", signed: intMatch[1] === "I", width: Number(intMatch[2]) as IntWidth } as const;
    const n = integerArg(v, arg);
    if (!intFits(n, from.signed, from.width)) throw new Mismatch(`${n} does not fit ${intTypeName(from.signed, from.width)}`);
    if (type.tag === "float" && from.width < 128) return Number(n);
    if (type.tag === "int" && canPromote(from, type)) return type.width > 32 ? n : Number(n);
    return mismatch(v, t);
  }
  switch (v.name) {
    case "VUnit":
      if (type.tag === "unit" && !arg) return [];
      break;
    case "VBool":
      if (type.tag === "bool" && arg?.kind === "bool") return arg.value;
      break;
    case "VFloat":
      if (type.tag === "float" && (arg?.kind === "float" || arg?.kind === "int")) return Number(arg.value);
      break;
    case "VString":
      if (type.tag === "string" && arg?.kind === "string") return arg.value;
      break;
    case "VChar":
      if (type.tag === "char" && arg?.kind === "char") return arg.value;
      break;
    case "VEth":
      if (type.tag === "eth") return Number(unsignedArg(v, arg, 48));
      break;
    case "VIpv4":
      if (type.tag === "ip4" || type.tag === "ip") return Number(unsignedArg(v, arg, 32));
      break;
    case "VIpv6":
      if (type.tag === "ip6" || type.tag === "ip") return unsignedArg(v, arg, 128);
      break;
    case "VIp":
      if (arg?.kind === "constructor" && (arg.name === "V4" || arg.name === "V6")) {
        const isV4 = arg.name === "V4";
        if (type.tag === "ip" || type.tag === (isV4 ? "ip4" : "ip6")) {
          const n = unsignedArg(arg, arg.arg, isV4 ? 32 : 128);
          return isV4 ? Number(n) : n;
        }
      }
      break;
    case "VCidrv4":
      if (type.tag === "cidr4" || type.tag === "cidr") return cidrArg(v, arg, 4);
      break;
    case "VCidrv6":
      if (type.tag === "cidr6" || type.tag === "cidr") return cidrArg(v, arg, 6);
      break;
    case "VCidr":
      if (arg?.kind === "constructor" && (arg.name === "V4" || arg.name === "V6")) {
        const family = arg.name === "V4" ? 4 : 6;
        if (type.tag === "cidr" || type.tag === `cidr${family}`) return cidrArg(arg, arg.arg, family);
      }
      break;
    case "VTup":
      if (type.tag === "tuple") {
        const items = arrayArg(v, arg);
        if (items.length !== type.items.length) throw new Mismatch(`expected ${type.items.length} items, got ${items.length}`);
        return items.map((x, i) => convert(x, type.items[i]!));
      }
      break;
    case "VVec":
    case "VArr":
      if (type.tag === "vector" || type.tag === "list") {
        const items = arrayArg(v, arg);
        if (type.tag === "vector" && items.length !== type.dim) throw new Mismatch(`expected ${type.dim} items, got ${items.length}`);
        return items.map((x) => convert(x, type.item));
      }
      break;
    case "VRec":
      if (type.tag === "record") return recordArg(v, arg, type.fields);
      break;
    case "VMap":
      if (type.tag === "map") {
        const out = new Map<Value, Value>();
        for (const item of arrayArg(v, arg)) {
          const [k, x] = pairItems(item);
          out.set(convert(k, type.key), convert(x, type.value));
        }
        return out;
      }
      break;
  }
  return mismatch(v, t);
}

function integerArg(v: TestValue, arg: TestValue | undefined): bigint {
  if (arg?.kind !== "int") throw new Mismatch(`${kindName(v)} needs an integer`);
  return arg.value;
}

function unsignedArg(v: TestValue, arg: TestValue | undefined, width: IntWidth): bigint {
  const n = integerArg(v, arg);
  if (!intFits(n, false, width)) throw new Mismatch(`${n} does not fit ${width} bits`);
  return n;
}

function cidrArg(v: TestValue, arg: TestValue | undefined, family: 4 | 6): Value {
  if (arg?.kind !== "pair" || arg.items.length !== 2) throw new Mismatch(`${kindName(v)} needs a pair (address, length)`);
  const maxLen = family === 4 ? 32 : 128;
  const ip = unsignedArg(v, arg.items[0], maxLen);
  const len = integerArg(v, arg.items[1]);
  if (len < 0n || len > BigInt(maxLen)) throw new Mismatch(`prefix length ${len} is not between 0 and ${maxLen}`);
  return maskCidr({ ip: family === 4 ? Number(ip) : ip, len: Number(len) });
}

function arrayArg(v: TestValue, arg: TestValue | undefined): readonly TestValue[] {
  if (arg?.kind !== "array") throw new Mismatch(`${kindName(v)} needs an array [| …; … |]`);
  return arg.items;
}

function pairItems(v: TestValue): readonly [TestValue, TestValue] {
  if (v.kind !== "pair" || v.items.length !== 2) throw new Mismatch(`expected a pair, got ${kindName(v)}`);
  return [v.items[0]!, v.items[1]!];
}

function recordArg(v: TestValue, arg: TestValue | undefined, fields: readonly RecordField[]): Value {
  const given = new Map<string, TestValue>();
  for (const item of arrayArg(v, arg)) {
    const [name, x] = pairItems(item);
    if (name.kind !== "string") throw new Mismatch(`a record field name must be a string, got ${kindName(name)}`);
    if (!fields.some((f) => f.name === name.value)) throw new Mismatch(`unknown field ${name.value} (fields: ${fields.map((f) => f.name).join(", ")})`);
    if (given.has(name.value)) throw new Mismatch(`field ${name.value} given twice`);
    given.set(name.value, x);
  }
  return fields.map((f) => {
    const x = given.get(f.name);
    if (x === undefined) throw new Mismatch(`missing field ${f.name}`);
    return convert(x, f.type);
  });
}

