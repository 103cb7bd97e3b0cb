import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cidrContains,
  cidrFirst,
  cidrLast,
  cidrToString,
  ethToString,
  ip4ToString,
  ip6ToString,
  ipFamily,
  parseCidr,
  parseCidr4,
  parseCidr6,
  parseEth,
  parseIp,
  parseIp4,
  parseIp6,
} from "../../stdlib/net.js";

describe("IPv4", () => {
  it("parses dotted quads", () => {
    expect(parseIp4("192.168.1.10")).toBe(3232235786);
    expect(parseIp4("0.0.0.0")).toBe(0);
    expect(parseIp4("255.255.255.255")).toBe(0xffffffff);
    expect(parseIp4("010.0.0.1")).toBe(10 * 2 ** 24 + 1);
  });
  it("rejects malformed text", () => {
    for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "1.2.3.-4", "a.b.c.d", "", "1..2.3", "1.2.3.4 "]) expect(parseIp4(bad)).toBeUndefined();
  });
  it("prints dotted quads", () => {
    expect(ip4ToString(3232235786)).toBe("192.168.1.10");
    expect(ip4ToString(0xffffffff)).toBe("255.255.255.255");
  });
});

describe("IPv6", () => {
  it("parses the RFC 4291 forms", () => {
    expect(parseIp6("::")).toBe(0n);
    expect(parseIp6("::1")).toBe(1n);
    expect(parseIp6("2001:db8::1")).toBe(0x20010db8000000000000000000000001n);
    expect(parseIp6("2001:DB8:0:0:8:800:200C:417A")).toBe(0x20010db80000000000080800200c417an);
    expect(parseIp6("::ffff:1.2.3.4")).toBe(0xffff01020304n);
    expect(parseIp6("1:2:3:4:5:6:7::")).toBe(0x00010002000300040005000600070000n);
    expect(parseIp6("1:2:3:4:5:6:1.2.3.4")).toBe(0x000100020003000400050006_01020304n);
  });
  it("rejects malformed text", () => {
    for (const bad of ["1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1.2.3.4::", "1:2:3:4:5:6:7::8", "::1.2.3"])
      expect(parseIp6(bad), bad).toBeUndefined();
  });
  it("prints the RFC 5952 form", () => {
    expect(ip6ToString(0n)).toBe("::");
    expect(ip6ToString(1n)).toBe("::1");
    expect(ip6ToString(0x20010db8000000000000000000000001n)).toBe("2001:db8::1");
    // a single zero group is not compressed; the first of two equal runs is
    expect(ip6ToString(0x20010db8000000010001000100010001n)).toBe("2001:db8:0:1:1:1:1:1");
    expect(ip6ToString(0x20010000000000010000000000010001n)).toBe("2001::1:0:0:1:1");
    // the longest run wins
    expect(ip6ToString(0x20010db8000000010000000000000001n)).toBe("2001:db8:0:1::1");
    expect(ip6ToString(0x00010000000000000000000000000000n)).toBe("1::");
    expect(ip6ToString((1n << 128n) - 1n)).toBe("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  });
  it("round-trips through text", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (ip) => parseIp6(ip6ToString(ip)) === ip));
  });
});

describe("both families", () => {
  it("tries IPv4 first", () => {
    expect(parseIp("1.2.3.4")).toBe(0x01020304);
    expect(parseIp("::1")).toBe(1n);
    expect(ipFamily(1)).toBe(4);
    expect(ipFamily(1n)).toBe(6);
  });
  it("round-trips IPv4 through text", () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (ip) => parseIp4(ip4ToString(ip)) === ip));
  });
});

describe("CIDR", () => {
  it("parses and masks", () => {
    expect(parseCidr4("10.1.2.3/8")).toEqual({ ip: 10 * 2 ** 24, len: 8 });
    expect(parseCidr4("1.2.3.4/32")).toEqual({ ip: 0x01020304, len: 32 });
    expect(parseCidr4("1.2.3.4/0")).toEqual({ ip: 0, len: 0 });
    expect(parseCidr6("fe80::1/10")).toEqual({ ip: 0xfe80n << 112n, len: 10 });
    expect(parseCidr("2001:db8::/32")).toEqual({ ip: 0x20010db8n << 96n, len: 32 });
  });
  it("rejects bad lengths and addresses", () => {
    for (const bad of ["1.2.3.4/33", "1.2.3.4", "1.2.3.4/", "1.2.3/8", "1.2.3.4/-1"]) expect(parseCidr4(bad), bad).toBeUndefined();
    expect(parseCidr6("::/129")).toBeUndefined();
    expect(parseCidr6("1.2.3.4/8")).toBeUndefined();
  });
  it("prints masked", () => {
    expect(cidrToString({ ip: 0xc0a80a14, len: 16 })).toBe("192.168.0.0/16");
    expect(cidrToString({ ip: 0x20010db8000000000000000000000001n, len: 64 })).toBe("2001:db8::/64");
  });
  it("tests membership, never across families", () => {
    const net = parseCidr4("192.168.0.0/16")!;
    expect(cidrContains(net, parseIp4("192.168.255.1")!)).toBe(true);
    expect(cidrContains(net, parseIp4("192.169.0.0")!)).toBe(false);
    expect(cidrContains({ ip: 0, len: 0 }, 0xffffffff)).toBe(true);
    expect(cidrContains({ ip: 0, len: 0 }, 1n)).toBe(false);
    expect(cidrContains(parseCidr6("::/0")!, 5)).toBe(false);
    expect(cidrContains(parseCidr6("2001:db8::/32")!, parseIp6("2001:db8:ffff::1")!)).toBe(true);
    expect(cidrContains(parseCidr6("2001:db8::/32")!, parseIp6("2001:db9::")!)).toBe(false);
  });
  it("gives the first and last addresses", () => {
    expect(cidrFirst({ ip: 0xc0a80a14, len: 16 })).toBe(0xc0a80000);
    expect(cidrLast({ ip: 0xc0a80a14, len: 16 })).toBe(0xc0a8ffff);
    expect(cidrLast({ ip: 0, len: 0 })).toBe(0xffffffff);
    expect(cidrLast({ ip: 5, len: 32 })).toBe(5);
    expect(cidrLast({ ip: 0n, len: 0 })).toBe((1n << 128n) - 1n);
    expect(cidrFirst({ ip: 0x20010db8000000000000000000000001n, len: 32 })).toBe(0x20010db8n << 96n);
  });
  it("contains exactly the addresses between its first and last", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.nat({ max: 0xffffffff }), (ip, len, other) => {
        const c = { ip, len };
        const inside = other >= (cidrFirst(c) as number) && other <= (cidrLast(c) as number);
        return cidrContains(c, other) === inside && cidrContains(c, ip);
      }),
    );
  });
  it("round-trips through text", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }), (ip, len) => {
        const c = parseCidr6(cidrToString({ ip, len }))!;
        return c.len === len && c.ip === cidrFirst({ ip, len }) && cidrToString(c) === cidrToString({ ip, len });
      }),
    );
  });
});

describe("Ethernet", () => {
  it("parses and prints lower-case hex", () => {
    expect(parseEth("00:1a:2B:3c:4d:5e")).toBe(0x001a2b3c4d5e);
    expect(ethToString(0x001a2b3c4d5e)).toBe("00:1a:2b:3c:4d:5e");
    expect(ethToString(2 ** 48 - 1)).toBe("ff:ff:ff:ff:ff:ff");
    expect(parseEth("00:1a:2b:3c:4d")).toBeUndefined();
    expect(parseEth("00:1a:2b:3c:4d:5g")).toBeUndefined();
  });
  it("round-trips through text", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (eth) => parseEth(ethToString(eth)) === eth));
  });
});
