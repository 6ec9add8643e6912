import { describe, expect, it } from '@jest/globals';
import { ClientMismatchError } from './auth.errors.js';
import { ClientIdentity, DEFAULT_CLIENT } from './client-identity.js';

describe(ClientIdentity.name, () => {
  describe('of', () => {
    it('scopes a client key to its client, and open mode or the admin key to every client', () => {
      expect(ClientIdentity.of({ kind: 'client', clientId: 'a' }, 'b')).toEqual(new ClientIdentity('a', 'a'));
      expect(ClientIdentity.of({ kind: 'open' }, 'b')).toEqual(new ClientIdentity('b', null));
      expect(ClientIdentity.of({ kind: 'admin' }, undefined)).toEqual(new ClientIdentity(DEFAULT_CLIENT, null));
    });
  });

  describe('clientFor', () => {
    it('takes an absent or null client_id as "not named"', () => {
      const keyed = new ClientIdentity('a', 'a');
      const open = new ClientIdentity(DEFAULT_CLIENT, null);
      expect(keyed.clientFor(undefined)).toBe('a');
      expect(keyed.clientFor(null)).toBe('a');
      expect(open.clientFor(null)).toBe(DEFAULT_CLIENT);
      expect(open.clientFor('x')).toBe('x');
    });

    it("refuses another client's id for a client key", () => {
      expect(() => new ClientIdentity('a', 'a').clientFor('b')).toThrow(ClientMismatchError);
      expect(new ClientIdentity('a', 'a').clientFor('a')).toBe('a');
    });
  });
});
