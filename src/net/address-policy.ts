/**
 * The SSRF address policy, as pure functions: which IP addresses ix may connect to on a user's behalf
 * (document URLs, callback URLs), how an allow-list is written, and how the legacy spellings of an IPv4
 * literal (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`) decode. Nothing here touches the network;
 * `guarded-http.ts` applies it to every literal host and every DNS answer before a socket connects.
 */

export type IpFamily = 4 | 6;

export interface AddressVerdict {
  forbidden: boolean;
  /** Why the address is refused, e.g. `loopback` or `loopback via ipv4-mapped`; absent when allowed. */
  reason?: string;
}

export interface Cidr {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** As written in the allow-list, for messages. */
  readonly text: string;
}

/** Parsed `IX_URL_ALLOWLIST`: address ranges, exact host names and `*.suffix` wildcards. */
export interface AllowList {
  readonly cidrs: readonly Cidr[];
  readonly hosts: readonly string[];
  /** From `*.example.com`: stored as `.example.com`, matching any subdomain but not the bare name. */
  readonly suffixes: readonly string[];
}

export const EMPTY_ALLOW_LIST: AllowList = Object.freeze({ cidrs: [], hosts: [], suffixes: [] });

export type HostLiteral =
  | { kind: 'ip'; family: IpFamily; address: string }
  | { kind: 'name'; name: string }
  | { kind: 'invalid'; reason: string };

// First match wins, so the specific entries (metadata) precede the ranges that contain them.
const IPV4_RULES: readonly (readonly [string, string])[] = [
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud
  ['192.0.0.192/32', 'metadata'], // Oracle Cloud
  ['168.63.129.16/32', 'metadata'], // Azure WireServer: a public address that answers only inside Azure
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

const IPV6_RULES: readonly (readonly [string, string])[] = [
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64 (RFC 8215)
  ['100::/64', 'reserved'], // discard-only
  ['2001::/32', 'teredo'], // tunnels to an obfuscated IPv4 address we cannot vet
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];

/**
 * IPv6 ranges that carry an IPv4 address: the embedded address is judged like a plain IPv4 one, so
 * `::ffff:127.0.0.1` is loopback and `64:ff9b::5db8:d822` (NAT64 of a public address) is allowed.
 * `offset` is where the 4 embedded bytes start.
 */
const IPV6_EMBEDDING_V4: readonly { cidr: string; via: string; offset: number }[] = [
  { cidr: '::ffff:0:0/96', via: 'ipv4-mapped', offset: 12 },
  { cidr: '::ffff:0:0:0/96', via: 'ipv4-translated', offset: 12 },
  { cidr: '64:ff9b::/96', via: 'nat64', offset: 12 },
  { cidr: '2002::/16', via: '6to4', offset: 2 },
];

/** `::a.b.c.d` (deprecated "IPv4-compatible"): no legitimate use left, so refused whatever it embeds. */
const IPV4_COMPATIBLE = '::/96';

/** Only 2000::/3 is allocated global unicast; anything else (not covered above) is refused as reserved. */
const IPV6_GLOBAL_UNICAST = '2000::/3';

function compile(rules: readonly (readonly [string, string])[]): { cidr: Cidr; reason: string }[] {
  return rules.map(([text, reason]) => ({ cidr: parseCidrOrThrow(text), reason }));
}

let compiledRules:
  | {
      v4: { cidr: Cidr; reason: string }[];
      v6: { cidr: Cidr; reason: string }[];
      embedding: { cidr: Cidr; via: string; offset: number }[];
      compatible: Cidr;
      globalUnicast: Cidr;
    }
  | undefined;

// Compiled on first use rather than at import so that a typo in a table fails a test, not module loading.
function rules() {
  compiledRules ??= {
    v4: compile(IPV4_RULES),
    v6: compile(IPV6_RULES),
    embedding: IPV6_EMBEDDING_V4.map((e) => ({ ...e, cidr: parseCidrOrThrow(e.cidr) })),
    compatible: parseCidrOrThrow(IPV4_COMPATIBLE),
    globalUnicast: parseCidrOrThrow(IPV6_GLOBAL_UNICAST),
  };
  return compiledRules;
}

/**
 * Whether ix must refuse to connect to `ip`. Accepts any spelling of a literal (brackets, legacy IPv4
 * forms); what is not an IP address at all is refused. An address inside an allow-listed range is allowed
 * whatever its class — that is how an operator lets ix reach an intranet host or a loopback test server.
 */
export function isForbiddenAddress(ip: string, allow: AllowList = EMPTY_ALLOW_LIST): AddressVerdict {
  const literal = normalizeHostLiteral(ip);
  if (literal.kind !== 'ip') {
    return { forbidden: true, reason: 'not an IP address' };
  }
  const bytes = parseIp(literal.address);
  if (!bytes) {
    return { forbidden: true, reason: 'not an IP address' };
  }
  if (inAnyCidr(bytes, allow.cidrs)) {
    return { forbidden: false };
  }
  return bytes.length === 4 ? judgeV4(bytes, allow) : judgeV6(bytes, allow);
}

function judgeV4(bytes: Uint8Array, allow: AllowList, via?: string): AddressVerdict {
  if (via && inAnyCidr(bytes, allow.cidrs)) {
    return { forbidden: false };
  }
  const rule = rules().v4.find((r) => inCidr(bytes, r.cidr));
  if (!rule) {
    return { forbidden: false };
  }
  return { forbidden: true, reason: via ? `${rule.reason} via ${via}` : rule.reason };
}

function judgeV6(bytes: Uint8Array, allow: AllowList): AddressVerdict {
  const r = rules();
  const special = r.v6.find((rule) => inCidr(bytes, rule.cidr));
  if (special) {
    return { forbidden: true, reason: special.reason };
  }
  for (const e of r.embedding) {
    if (inCidr(bytes, e.cidr)) {
      return judgeV4(bytes.subarray(e.offset, e.offset + 4), allow, e.via);
    }
  }
  if (inCidr(bytes, r.compatible)) {
    return { forbidden: true, reason: 'ipv4-compatible' };
  }
  if (!inCidr(bytes, r.globalUnicast)) {
    return { forbidden: true, reason: 'reserved' };
  }
  return { forbidden: false };
}

/**
 * Parses `IX_URL_ALLOWLIST`: entries separated by commas or whitespace, each a CIDR (`10.0.0.0/8`,
 * `fd00::/8`), a single address (`127.0.0.1`, `::1`, `[::1]`), a host name (`printer.local`) or a
 * wildcard (`*.intranet.example`). Throws naming the first bad entry, so boot can fail with it.
 * Addresses must be written in plain dotted decimal: an allow-list is no place for `0x7f.1`.
 */
export function parseAllowList(spec: string | undefined): AllowList {
  const cidrs: Cidr[] = [];
  const hosts: string[] = [];
  const suffixes: string[] = [];
  for (const raw of (spec ?? '').split(/[\s,]+/)) {
    const entry = raw.trim();
    if (!entry) {
      continue;
    }
    const cidr = parseCidr(entry);
    if (cidr) {
      cidrs.push(cidr);
      continue;
    }
    const lower = entry.toLowerCase().replace(/\.$/, '');
    if (lower.startsWith('*.') && isHostName(lower.slice(2))) {
      suffixes.push(lower.slice(1));
    } else if (isHostName(lower) && !endsInNumber(lower)) {
      hosts.push(lower);
    } else {
      throw new Error(`invalid allow-list entry "${entry}": expected a CIDR, an IP address or a host name`);
    }
  }
  return { cidrs, hosts, suffixes };
}

/**
 * Whether a URL's host is allow-listed by name or, for an IP literal in any spelling, by range.
 * A host allowed by name is trusted whatever it resolves to.
 */
export function isAllowedHost(host: string, allow: AllowList): boolean {
  const literal = normalizeHostLiteral(host);
  switch (literal.kind) {
    case 'ip': {
      const bytes = parseIp(literal.address);
      return bytes !== undefined && inAnyCidr(bytes, allow.cidrs);
    }
    case 'name':
      return allow.hosts.includes(literal.name) || allow.suffixes.some((s) => literal.name.endsWith(s));
    case 'invalid':
      return false;
  }
}

/**
 * Decodes a URL host the way the WHATWG URL parser (and inet_aton before it) does, so a guard sees the
 * address a client library would connect to: `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all
 * `127.0.0.1`. IPv6 literals (bracketed or not) come back in canonical form (`::ffff:7f00:1`); anything
 * else is a lower-cased host name without its trailing dot. A host that ends in a number but is no valid
 * IPv4 address (`1.2.3.999`, `foo.0x1`) is invalid, as in the URL standard.
 */
export function normalizeHostLiteral(host: string): HostLiteral {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) {
    h = h.slice(1, -1);
  }
  if (h.includes(':')) {
    const bytes = parseIpv6(h);
    return bytes
      ? { kind: 'ip', family: 6, address: formatIpv6(bytes) }
      : { kind: 'invalid', reason: 'malformed IPv6 address' };
  }
  h = h.toLowerCase();
  if (h.endsWith('.') && h.length > 1) {
    h = h.slice(0, -1);
  }
  if (!h) {
    return { kind: 'invalid', reason: 'empty host' };
  }
  if (endsInNumber(h)) {
    const value = parseWhatwgIpv4(h);
    return value === undefined
      ? { kind: 'invalid', reason: 'malformed IPv4 address' }
      : { kind: 'ip', family: 4, address: formatIpv4(value) };
  }
  return { kind: 'name', name: h };
}

// --- WHATWG IPv4 host parsing (https://url.spec.whatwg.org/#concept-ipv4-parser) ---

function endsInNumber(host: string): boolean {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) {
    parts.pop();
  }
  const last = parts[parts.length - 1];
  return /^[0-9]+$/.test(last) || parseIpv4Number(last) !== undefined;
}

function parseIpv4Number(part: string): number | undefined {
  if (part === '') {
    return undefined;
  }
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(digits)) {
    digits = digits.slice(2);
    radix = 16;
  } else if (digits.length > 1 && digits.startsWith('0')) {
    digits = digits.slice(1);
    radix = 8;
  }
  if (digits === '') {
    return 0;
  }
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) {
    return undefined;
  }
  // Past 2^32 the value is refused anyway; parseInt's float imprecision there does not matter.
  return parseInt(digits, radix);
}

function parseWhatwgIpv4(host: string): number | undefined {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) {
    parts.pop();
  }
  if (parts.length > 4) {
    return undefined;
  }
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIpv4Number(part);
    if (n === undefined) {
      return undefined;
    }
    numbers.push(n);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) {
    return undefined;
  }
  return numbers.reduce((acc, n, i) => acc + n * 256 ** (3 - i), last);
}

function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

// --- strict address parsing (dotted decimal, RFC 4291 text) ---

function parseStrictIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(text: string): Uint8Array | undefined {
  // A zone (`fe80::1%eth0`) says which interface, not which address.
  const address = text.split('%')[0];
  if (!/^[0-9a-f:.]+$/i.test(address)) {
    return undefined;
  }
  const halves = address.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groups: number[][] = [];
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h];
    const words: number[] = [];
    const fields = half === '' ? [] : half.split(':');
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      const isLastOfAddress = h === halves.length - 1 && i === fields.length - 1;
      if (field.includes('.')) {
        const v4 = isLastOfAddress ? parseStrictIpv4(field) : undefined;
        if (!v4) {
          return undefined;
        }
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(field)) {
        words.push(parseInt(field, 16));
      } else {
        return undefined;
      }
    }
    groups.push(words);
  }
  let words: number[];
  if (groups.length === 2) {
    const missing = 8 - groups[0].length - groups[1].length;
    if (missing < 1) {
      return undefined;
    }
    words = [...groups[0], ...(new Array(missing).fill(0) as number[]), ...groups[1]];
  } else {
    words = groups[0];
  }
  if (words.length !== 8) {
    return undefined;
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 255;
  });
  return bytes;
}

/** RFC 5952 text (lower case, longest zero run compressed), with hex words throughout like WHATWG URL. */
export function formatIpv6(bytes: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[i * 2] << 8) | bytes[i * 2 + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) {
      j++;
    }
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) {
    return hex.join(':');
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Whether 16 address bytes are IPv4-mapped (`::ffff:a.b.c.d`): the IPv4 address is then bytes 12 to 15. */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** 4 or 16 bytes for a literal in canonical or plain form; undefined otherwise. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseStrictIpv4(text);
}

/**
 * `address` or `address/prefix` (prefix up to 32 or 128 bits); an IPv6 address may be bracketed (`[::1]/128`) or
 * carry a zone (`fe80::1%eth0`). Undefined for anything else.
 */
export function parseCidr(text: string): Cidr | undefined {
  const [addressPart, prefixPart, ...rest] = text.split('/');
  if (rest.length > 0) {
    return undefined;
  }
  const address = addressPart.startsWith('[') && addressPart.endsWith(']') ? addressPart.slice(1, -1) : addressPart;
  const bytes = parseIp(address);
  if (!bytes) {
    return undefined;
  }
  const bits = bytes.length * 8;
  let prefix = bits;
  if (prefixPart !== undefined) {
    if (!/^[0-9]{1,3}$/.test(prefixPart) || Number(prefixPart) > bits) {
      return undefined;
    }
    prefix = Number(prefixPart);
  }
  return { family: bytes.length === 4 ? 4 : 6, bytes, prefix, text };
}

function parseCidrOrThrow(text: string): Cidr {
  const cidr = parseCidr(text);
  if (!cidr) {
    throw new Error(`invalid CIDR in the address policy: ${text}`);
  }
  return cidr;
}

function inCidr(bytes: Uint8Array, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) {
    return false;
  }
  const full = Math.floor(cidr.prefix / 8);
  for (let i = 0; i < full; i++) {
    if (bytes[i] !== cidr.bytes[i]) {
      return false;
    }
  }
  const rem = cidr.prefix % 8;
  if (rem === 0) {
    return true;
  }
  const mask = (0xff << (8 - rem)) & 0xff;
  return (bytes[full] & mask) === (cidr.bytes[full] & mask);
}

function inAnyCidr(bytes: Uint8Array, cidrs: readonly Cidr[]): boolean {
  return cidrs.some((c) => inCidr(bytes, c));
}

function isHostName(name: string): boolean {
  return (
    name.length <= 253 &&
    name.split('.').every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label) && label.length <= 63)
  );
}
