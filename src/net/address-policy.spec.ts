import { describe, expect, it } from '@jest/globals';
import {
  EMPTY_ALLOW_LIST,
  isAllowedHost,
  isForbiddenAddress,
  normalizeHostLiteral,
  parseAllowList,
} from './address-policy.js';

// Pure functions only: nothing in this file opens a socket.
describe('address policy', () => {
  describe(isForbiddenAddress.name, () => {
    it.each([
      // loopback, in every spelling a URL parser or inet_aton accepts
      ['127.0.0.1', 'loopback'],
      ['127.0.0.3', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['2130706433', 'loopback'],
      ['0177.0.0.1', 'loopback'],
      ['0x7f.1', 'loopback'],
      ['0x7F000001', 'loopback'],
      ['127.1', 'loopback'],
      ['127.0.1', 'loopback'],
      ['017700000001', 'loopback'],
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      // IPv4 inside IPv6
      ['::ffff:127.0.0.1', 'loopback via ipv4-mapped'],
      ['::ffff:7f00:1', 'loopback via ipv4-mapped'],
      ['[::ffff:7f00:1]', 'loopback via ipv4-mapped'],
      ['0:0:0:0:0:ffff:7f00:1', 'loopback via ipv4-mapped'],
      ['::ffff:10.0.0.1', 'private via ipv4-mapped'],
      ['::ffff:169.254.169.254', 'metadata via ipv4-mapped'],
      ['::ffff:0:7f00:1', 'loopback via ipv4-translated'],
      ['64:ff9b::7f00:1', 'loopback via nat64'],
      ['64:ff9b::10.1.2.3', 'private via nat64'],
      ['2002:7f00:1::', 'loopback via 6to4'],
      ['2002:c0a8:101::1', 'private via 6to4'],
      ['::7f00:1', 'ipv4-compatible'],
      ['::127.0.0.1', 'ipv4-compatible'],
      ['::8.8.8.8', 'ipv4-compatible'],
      // private
      ['10.0.0.1', 'private'],
      ['10.255.255.255', 'private'],
      ['012.0.0.1', 'private'],
      ['167772161', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['0xc0.0xa8.1.1', 'private'],
      ['64:ff9b:1::1', 'private'],
      // link-local and metadata
      ['169.254.0.1', 'link-local'],
      ['169.254.169.254', 'metadata'],
      ['2852039166', 'metadata'],
      ['0251.0376.0251.0376', 'metadata'],
      ['0xa9fea9fe', 'metadata'],
      ['100.100.100.200', 'metadata'],
      ['192.0.0.192', 'metadata'],
      ['168.63.129.16', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf:ffff::1', 'link-local'],
      ['fec0::1', 'site-local'],
      // unique-local, CGNAT, this-network, multicast, broadcast, reserved
      ['fc00::1', 'unique-local'],
      ['fd12:3456:789a::1', 'unique-local'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.255', 'cgnat'],
      ['0.0.0.0', 'unspecified'],
      ['0', 'unspecified'],
      ['0x', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['4294967295', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['192.0.0.8', 'reserved'],
      ['100::1', 'reserved'],
      ['1::1', 'reserved'],
      ['4000::1', 'reserved'],
      ['198.18.0.1', 'benchmarking'],
      ['192.0.2.1', 'documentation'],
      ['203.0.113.9', 'documentation'],
      ['2001:db8::1', 'documentation'],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ])('refuses %s (%s)', (ip, reason) => {
      expect(isForbiddenAddress(ip, EMPTY_ALLOW_LIST)).toEqual({ forbidden: true, reason });
    });

    it.each([
      '93.184.216.34',
      '1559811362', // 93.184.216.34 as one number
      '8.8.8.8',
      '1.1.1.1',
      '172.15.255.255',
      '172.32.0.1',
      '100.63.255.255',
      '100.128.0.0',
      '169.253.255.255',
      '11.0.0.1',
      '2606:2800::1',
      '2606:2800:220:1:248:1893:25c8:1946',
      '2a00:1450:4001:80b::200e',
      '[2001:4860:4860::8888]',
      '::ffff:93.184.216.34',
      '64:ff9b::5db8:d822',
      '2002:5db8:d822::1',
    ])('allows the public address %s', (ip) => {
      expect(isForbiddenAddress(ip, EMPTY_ALLOW_LIST)).toEqual({ forbidden: false });
    });

    it.each(['', 'example.com', '1.2.3.999', '1.2.3.4.5', '::1::', 'fe80:::1', '12345::', ':1', '1:2:3:4:5:6:7:8:9'])(
      'refuses %j, which is no IP address',
      (text) => {
        expect(isForbiddenAddress(text, EMPTY_ALLOW_LIST)).toEqual({ forbidden: true, reason: 'not an IP address' });
      },
    );

    it('lets an allow-listed range through, whatever its class', () => {
      const allow = parseAllowList('127.0.0.1, 10.0.0.0/8, fd00::/8');
      expect(isForbiddenAddress('127.0.0.1', allow).forbidden).toBe(false);
      expect(isForbiddenAddress('2130706433', allow).forbidden).toBe(false);
      expect(isForbiddenAddress('::ffff:127.0.0.1', allow).forbidden).toBe(false);
      expect(isForbiddenAddress('10.20.30.40', allow).forbidden).toBe(false);
      expect(isForbiddenAddress('fd00:ec2::254', allow).forbidden).toBe(false);
      expect(isForbiddenAddress('127.0.0.2', allow)).toEqual({ forbidden: true, reason: 'loopback' });
      expect(isForbiddenAddress('::1', allow)).toEqual({ forbidden: true, reason: 'loopback' });
      expect(isForbiddenAddress('169.254.169.254', allow)).toEqual({ forbidden: true, reason: 'metadata' });
    });

    it('treats a /0 allow entry as allowing everything of that family', () => {
      const allow = parseAllowList('0.0.0.0/0');
      expect(isForbiddenAddress('169.254.169.254', allow).forbidden).toBe(false);
      expect(isForbiddenAddress('::1', allow).forbidden).toBe(true);
    });
  });

  describe(normalizeHostLiteral.name, () => {
    it.each([
      ['127.0.0.1', '127.0.0.1'],
      ['2130706433', '127.0.0.1'],
      ['0177.0.0.1', '127.0.0.1'],
      ['0x7f.1', '127.0.0.1'],
      ['0X7F.0.0.1', '127.0.0.1'],
      ['127.1', '127.0.0.1'],
      ['127.0.1', '127.0.0.1'],
      ['0x7f.0x0.0x0.0x1', '127.0.0.1'],
      ['00000177.0.0.1', '127.0.0.1'],
      ['127.0.0.1.', '127.0.0.1'],
      ['1.65535', '1.0.255.255'],
      ['1.2.65535', '1.2.255.255'],
      ['0x', '0.0.0.0'],
      ['4294967295', '255.255.255.255'],
    ])('decodes the IPv4 spelling %s to %s', (host, address) => {
      expect(normalizeHostLiteral(host)).toEqual({ kind: 'ip', family: 4, address });
    });

    it.each([
      ['[::1]', '::1'],
      ['::FFFF:127.0.0.1', '::ffff:7f00:1'],
      ['[0:0:0:0:0:ffff:7f00:1]', '::ffff:7f00:1'],
      ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fe80::1%25eth0', 'fe80::1'],
      ['1::', '1::'],
      ['::', '::'],
    ])('canonicalizes the IPv6 literal %s to %s', (host, address) => {
      expect(normalizeHostLiteral(host)).toEqual({ kind: 'ip', family: 6, address });
    });

    it.each([
      ['Example.COM', 'example.com'],
      ['localhost.', 'localhost'],
      ['printer.local', 'printer.local'],
      ['1.2.3.4.example', '1.2.3.4.example'],
      ['0x7f.example', '0x7f.example'],
    ])('keeps the host name %s as %s', (host, name) => {
      expect(normalizeHostLiteral(host)).toEqual({ kind: 'name', name });
    });

    it.each([
      '1.2.3.999',
      '1.2.3.4.5',
      '4294967296',
      '256.1',
      '1.16777216',
      '08.0.0.1',
      'foo.0x1',
      '0xg.1',
      '[::1',
      '',
    ])('calls %j invalid, as the URL standard does', (host) => {
      expect(normalizeHostLiteral(host).kind).toBe('invalid');
    });

    it('agrees with the WHATWG URL parser on every IPv4 spelling it accepts', () => {
      for (const host of ['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '0x', '1.65535', '012.0.0.1']) {
        const literal = normalizeHostLiteral(host);
        expect(literal).toMatchObject({ kind: 'ip', address: new URL(`http://${host}/`).hostname });
      }
    });
  });

  describe(parseAllowList.name, () => {
    it('reads CIDRs, single addresses, host names and wildcards', () => {
      const allow = parseAllowList('10.0.0.0/8,printer.local, 127.0.0.1 [::1] fd00::/8 *.Intranet.Example.');
      expect(allow.cidrs.map((c) => `${c.text}|${c.prefix}|${c.family}`)).toEqual([
        '10.0.0.0/8|8|4',
        '127.0.0.1|32|4',
        '[::1]|128|6',
        'fd00::/8|8|6',
      ]);
      expect(allow.hosts).toEqual(['printer.local']);
      expect(allow.suffixes).toEqual(['.intranet.example']);
    });

    it('is empty for an unset or blank value', () => {
      expect(parseAllowList(undefined)).toEqual({ cidrs: [], hosts: [], suffixes: [] });
      expect(parseAllowList(' , ')).toEqual({ cidrs: [], hosts: [], suffixes: [] });
    });

    it.each(['10.0.0.0/33', '::/129', '10.0.0.0/8/1', '0x7f.1', '2130706433', 'http://x', 'a b/c', '-bad-.example'])(
      'refuses the entry %j, naming it',
      (entry) => {
        expect(() => parseAllowList(`ok.example,${entry}`)).toThrow(/invalid allow-list entry/);
      },
    );
  });

  describe(isAllowedHost.name, () => {
    const allow = parseAllowList('10.0.0.0/8,printer.local,127.0.0.1,*.intranet.example');

    it.each([
      ['printer.local', true],
      ['PRINTER.local.', true],
      ['other.local', false],
      ['docs.intranet.example', true],
      ['a.b.intranet.example', true],
      ['intranet.example', false],
      ['evilintranet.example', false],
      ['127.0.0.1', true],
      ['0x7f.1', true],
      ['127.0.0.2', false],
      ['10.1.2.3', true],
      ['11.1.2.3', false],
      ['1.2.3.999', false],
    ])('%s → %s', (host, expected) => {
      expect(isAllowedHost(host, allow)).toBe(expected);
    });
  });
});
