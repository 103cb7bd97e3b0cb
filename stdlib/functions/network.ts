// Network functions (raql.md §5.3 BEGIN OF / END OF, §6.5). Membership
// (`ip IN cidr`) belongs to the `in` operator; its arithmetic is in
// stdlib/net.ts.

import { T, Type } from "../../grammar/types.js";
import type { FunctionEntry, TypingCall } from "../entry.js";
import { cidrContains, cidrFirst, cidrLast, parseCidr } from "../net.js";
import { anyNullable, arg } from "../typing.js";
import type { Cidr } from "../values.js";
import { mismatch, result } from "./common.js";

/**
 * The geo-IP table of COUNTRYCODE. Not a geo-IP database: a handful of
 * well-known public ranges whose country is stable (public DNS resolvers,
 * registries' own networks, a national /8), enough to use and test the
 * function. Any other address gives NULL.
 */
const COUNTRY_RANGES: readonly { readonly network: Cidr; readonly country: string }[] = [
  ["8.8.8.0/24", "US"], // Google Public DNS
  ["8.8.4.0/24", "US"], // Google Public DNS
  ["2001:4860::/32", "US"], // Google
  ["193.0.0.0/21", "NL"], // RIPE NCC, Amsterdam
  ["2001:67c:2e8::/48", "NL"], // RIPE NCC, Amsterdam
  ["133.0.0.0/8", "JP"], // Japanese academic and commercial networks
  ["200.160.0.0/20", "BR"], // NIC.br, São Paulo
  ["2001:12ff::/32", "BR"], // NIC.br, São Paulo
].map(([text, country]) => ({ network: parseCidr(text!)!, country: country! }));

function countryOf(ip: number | bigint): string | null {
  for (const r of COUNTRY_RANGES) if (cidrContains(r.network, ip)) return r.country;
  return null;
}

function expectAnyIp(call: TypingCall): Type {
  const t = arg(call, 0).type.type;
  if (t.tag !== "ip4" && t.tag !== "ip6" && t.tag !== "ip") mismatch(call, 0, "an IP address");
  return t;
}

const countryCode: FunctionEntry = {
  name: "countrycode",
  names: ["COUNTRYCODE", "COUNTRY_CODE"],
  syntax: { kind: "function", arities: [1] },
  state: "stateless",
  deterministic: true,
  nullRule: "always",
  signature: "any-ip -> string?",
  doc:
    "The ISO 3166 country code of an IP address from an embedded table, NULL when unknown. The table holds only a few " +
    "well-known public ranges (Google Public DNS, RIPE NCC, NIC.br, 133.0.0.0/8 in Japan); its content may change between versions.",
  examples: ['COUNTRYCODE 8.8.8.8 = "US"', "COUNTRY_CODE 10.0.0.1 = NULL"],
  typing(call) {
    expectAnyIp(call);
    return result(T.string, true);
  },
  units: "none",
  impl: {
    kind: "stateless",
    apply: (args) => countryOf(args[0] as number | bigint),
  },
};

const ipFamily: FunctionEntry = {
  name: "ipfamily",
  names: ["IPFAMILY", "IP_FAMILY"],
  syntax: { kind: "function", arities: [1] },
  state: "stateless",
  deterministic: true,
  nullRule: "prop",
  signature: "any-ip -> u8",
  doc: "The version of an IP address: 4 or 6.",
  examples: ["IPFAMILY 192.168.1.10 = 4", "IP_FAMILY 2001:db8::1 = 6"],
  typing(call) {
    expectAnyIp(call);
    return result(T.u8, anyNullable(call));
  },
  units: "dimensionless",
  impl: {
    kind: "stateless",
    apply: (args) => (typeof args[0] === "number" ? 4 : 6),
    inline: (args) => `(typeof ${args[0]} === "number" ? 4 : 6)`,
  },
};

/** cidr4 → ip4, cidr6 → ip6, cidr → ip (raql.md §5.3). */
function ipOfCidr(call: TypingCall): Type {
  const t = arg(call, 0).type.type;
  switch (t.tag) {
    case "cidr4":
      return T.ip4;
    case "cidr6":
      return T.ip6;
    case "cidr":
      return T.ip;
    default:
      return mismatch(call, 0, "a CIDR");
  }
}

const beginOf: FunctionEntry = {
  name: "begin_of",
  names: ["BEGIN OF"],
  syntax: { kind: "prefix", op: "BEGIN OF" },
  state: "stateless",
  deterministic: true,
  nullRule: "prop",
  signature: "cidr4 -> ip4 | cidr6 -> ip6 | cidr -> ip",
  doc: "The first address of a network (its address with the host bits cleared).",
  examples: ["BEGIN OF 192.168.10.20/16 = 192.168.0.0", "BEGIN OF 2001:db8::1/32 = 2001:db8::"],
  typing: (call) => result(ipOfCidr(call), anyNullable(call)),
  units: "none",
  impl: {
    kind: "stateless",
    apply: (args) => cidrFirst(args[0] as Cidr),
  },
};

const endOf: FunctionEntry = {
  name: "end_of",
  names: ["END OF"],
  syntax: { kind: "prefix", op: "END OF" },
  state: "stateless",
  deterministic: true,
  nullRule: "prop",
  signature: "cidr4 -> ip4 | cidr6 -> ip6 | cidr -> ip",
  doc: "The last address of a network (its address with the host bits set).",
  examples: ["END OF 192.168.10.20/16 = 192.168.255.255", "END OF 2001:db8::/120 = 2001:db8::ff"],
  typing: (call) => result(ipOfCidr(call), anyNullable(call)),
  units: "none",
  impl: {
    kind: "stateless",
    apply: (args) => cidrLast(args[0] as Cidr),
  },
};

export const entries: readonly FunctionEntry[] = [countryCode, ipFamily, beginOf, endOf];
