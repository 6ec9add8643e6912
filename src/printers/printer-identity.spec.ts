import { describe, expect, it } from '@jest/globals';
import { IX_PRINTER_NAMESPACE, printerId, uuidV5 } from './printer-identity.js';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('printer identity', () => {
  describe(uuidV5.name, () => {
    it('matches the published vector for www.example.com in the DNS namespace', () => {
      expect(uuidV5('www.example.com', DNS_NAMESPACE)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    });

    it('matches the python uuid.uuid5 vector for python.org in the DNS namespace', () => {
      expect(uuidV5('python.org', DNS_NAMESPACE)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    });

    it('accepts an upper-case namespace', () => {
      expect(uuidV5('www.example.com', DNS_NAMESPACE.toUpperCase())).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    });

    it('rejects a namespace that is not a UUID', () => {
      expect(() => uuidV5('x', 'not-a-uuid')).toThrow('namespace must be a UUID (got "not-a-uuid")');
    });
  });

  describe(printerId.name, () => {
    it('is a version 5, RFC 4122 variant UUID in the ix namespace', () => {
      const sut = printerId('zebra-zd421', '10.0.0.7', 9100);
      expect(sut).toMatch(V5);
      expect(sut).toBe(uuidV5('zebra-zd421|10.0.0.7|9100', IX_PRINTER_NAMESPACE));
    });

    it('is stable for the same printer', () => {
      expect(printerId('zebra-zd421', '10.0.0.7', 9100)).toBe(printerId('zebra-zd421', '10.0.0.7', 9100));
    });

    it('changes when the port, host or model changes', () => {
      const base = printerId('zebra-zd421', '10.0.0.7', 9100);
      expect(printerId('zebra-zd421', '10.0.0.7', 9101)).not.toBe(base);
      expect(printerId('zebra-zd421', '10.0.0.8', 9100)).not.toBe(base);
      expect(printerId('zebra-zd621', '10.0.0.7', 9100)).not.toBe(base);
    });
  });
});
