// fast-check generators of RaQL types and of values of a given type, shared
// by the round-trip properties of the value modules.

import fc from "fast-check";
import { INT_WIDTHS, NType, T, Type, intRange } from "../../grammar/types.js";
import { maskCidr } from "../../stdlib/net.js";
import type { Value } from "../../stdlib/values.js";

const scalarTypes: Type[] = [
  T.bool,
  ...INT_WIDTHS.flatMap((w) => [T.int(false, w), T.int(true, w)]),
  T.float,
  T.string,
  T.char,
  T.eth,
  T.ip4,
  T.ip6,
  T.ip,
  T.cidr4,
  T.cidr6,
  T.cidr,
  T.unit,
];

const FIELD_NAMES = ["a", "b_2", "Value", "with space", "x"];

/** Types of at most a few levels of composites. */
export const arbNType: fc.Arbitrary<NType> = fc.letrec<{ ntype: NType; type: Type }>((tie) => ({
  ntype: fc.record({ type: tie("type"), nullable: fc.boolean() }),
  type: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...scalarTypes),
    fc.tuple(fc.integer({ min: 1, max: 3 }), tie("ntype")).map(([dim, item]) => T.vector(dim, item)),
    tie("ntype").map((item) => T.list(item)),
    fc.array(tie("ntype"), { minLength: 2, maxLength: 3 }).map((items) => T.tuple(items)),
    fc
      .uniqueArray(fc.constantFrom(...FIELD_NAMES), { minLength: 1, maxLength: 3 })
      .chain((names) => fc.array(tie("ntype"), { minLength: names.length, maxLength: names.length }).map((ts) => T.record(names.map((name, i) => ({ name, type: ts[i]! }))))),
  ),
})).ntype;

/** Floats with at most 12 significant digits, which %.12g prints exactly. */
const arbShortFloat = fc
  .tuple(fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }), fc.integer({ min: -30, max: 30 }))
  .map(([m, e]) => Number(`${m}e${e}`));

const arbBytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }).map((codes) => String.fromCharCode(...codes));
const arbIp4 = fc.nat({ max: 0xffffffff });
const arbIp6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const arbCidr4 = fc.tuple(arbIp4, fc.integer({ min: 0, max: 32 })).map(([ip, len]) => maskCidr({ ip, len }));
const arbCidr6 = fc.tuple(arbIp6, fc.integer({ min: 0, max: 128 })).map(([ip, len]) => maskCidr({ ip, len }));

export interface ValueOptions {
  /** any finite double, rather than only those of at most 12 significant digits */
  readonly anyFiniteFloat?: boolean;
}

export function arbValue(t: NType, opts: ValueOptions = {}): fc.Arbitrary<Value> {
  const v = arbNotNull(t.type, opts);
  return t.nullable ? fc.option(v, { nil: null, freq: 4 }) : v;
}

function arbNotNull(t: Type, opts: ValueOptions): fc.Arbitrary<Value> {
  switch (t.tag) {
    case "bool":
      return fc.boolean();
    case "int": {
      const { min, max } = intRange(t.signed, t.width);
      const big = fc.bigInt({ min, max });
      return t.width > 32 ? big : big.map(Number);
    }
    case "float":
      return opts.anyFiniteFloat ? fc.double({ noNaN: true, noDefaultInfinity: true }) : arbShortFloat;
    case "string":
      return arbBytes;
    case "char":
      return fc.integer({ min: 0, max: 255 });
    case "eth":
      return fc.integer({ min: 0, max: 2 ** 48 - 1 });
    case "ip4":
      return arbIp4;
    case "ip6":
      return arbIp6;
    case "ip":
      return fc.oneof(arbIp4, arbIp6);
    case "cidr4":
      return arbCidr4;
    case "cidr6":
      return arbCidr6;
    case "cidr":
      return fc.oneof(arbCidr4, arbCidr6);
    case "unit":
      return fc.constant([]);
    case "vector":
      return fc.array(arbValue(t.item, opts), { minLength: t.dim, maxLength: t.dim });
    case "list":
      return fc.array(arbValue(t.item, opts), { maxLength: 3 });
    case "tuple":
      return fc.tuple(...t.items.map((i) => arbValue(i, opts)));
    case "record":
      return fc.tuple(...t.fields.map((f) => arbValue(f.type, opts)));
    default:
      throw new Error(`no generator for ${t.tag}`);
  }
}
