import { describe, expect, it } from '@jest/globals';
import { addressKey, TokenBuckets } from './token-buckets.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe(TokenBuckets.name, () => {
  describe('take', () => {
    it('allows a full minute of requests at once, then refuses with the wait until the next one', () => {
      const time = clock();
      const sut = new TokenBuckets(60, time.now);
      for (let i = 0; i < 60; i++) {
        expect(sut.take('a')).toMatchObject({ allowed: true, remaining: 59 - i });
      }
      expect(sut.take('a')).toEqual({ allowed: false, limit: 60, remaining: 0, retryAfterS: 1, resetS: 60 });
    });

    it('refills at the per-minute rate, never beyond the limit', () => {
      const time = clock();
      const sut = new TokenBuckets(6, time.now); // one request per 10 s
      for (let i = 0; i < 6; i++) {
        sut.take('a');
      }
      expect(sut.take('a')).toMatchObject({ allowed: false, retryAfterS: 10 });
      time.advance(4_000);
      expect(sut.take('a')).toMatchObject({ allowed: false, retryAfterS: 6 });
      time.advance(6_000);
      expect(sut.take('a')).toMatchObject({ allowed: true, remaining: 0 });
      time.advance(3_600_000);
      expect(sut.take('a')).toMatchObject({ allowed: true, remaining: 5 });
    });

    it('keeps one bucket per key', () => {
      const sut = new TokenBuckets(1, clock().now);
      expect(sut.take('a').allowed).toBe(true);
      expect(sut.take('a').allowed).toBe(false);
      expect(sut.take('b').allowed).toBe(true);
    });

    it('forgets the least recently used key beyond maxKeys', () => {
      const sut = new TokenBuckets(1, clock().now, 2);
      sut.take('a');
      sut.take('b');
      sut.take('a'); // refused, but a is now the most recent
      sut.take('c'); // evicts b
      expect(sut.size).toBe(2);
      expect(sut.take('a').allowed).toBe(false);
      expect(sut.take('b').allowed).toBe(true);
    });

    it('refuses a limit that is not a positive integer', () => {
      expect(() => new TokenBuckets(0)).toThrow(RangeError);
      expect(() => new TokenBuckets(1.5)).toThrow(RangeError);
    });
  });
});

describe(addressKey.name, () => {
  it('keys IPv4 by address, IPv6 by its /64 and mapped IPv4 as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8::/64');
    expect(addressKey('::1')).toBe('::/64');
    expect(addressKey('::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('reads an IPv6 address the way the address policy does, whatever its spelling', () => {
    // An embedded IPv4 tail is two groups: the /64 is 1:0:2:3, not 1:0:0:2.
    expect(addressKey('1::2:3:4:5:6.7.8.9')).toBe('1:0:2:3::/64');
    // Mapped IPv4 written in hex or in full is still that IPv4 client, not the shared ::/64.
    expect(addressKey('::ffff:c633:6401')).toBe('198.51.100.1');
    expect(addressKey('0:0:0:0:0:ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(addressKey('::FFFF:198.51.100.1')).toBe('198.51.100.1');
    // Other IPv4-in-IPv6 forms are IPv6 clients like any other.
    expect(addressKey('64:ff9b::198.51.100.1')).toBe('64:ff9b::/64');
  });

  it('keys what is not an address as itself', () => {
    expect(addressKey('not-an-ip')).toBe('not-an-ip');
    expect(addressKey('1:2:3')).toBe('1:2:3');
  });
});
