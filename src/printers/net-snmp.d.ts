// net-snmp ships no types; this declares only the part ix uses (the probe, and the agent the tests run).
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';

  namespace snmp {
    interface Varbind {
      oid: string;
      type: number;
      value: unknown;
    }

    interface SessionOptions {
      port?: number;
      retries?: number;
      timeout?: number;
      backoff?: number;
      transport?: 'udp4' | 'udp6';
      version?: number;
    }

    interface Session extends EventEmitter {
      get(oids: string[], callback: (error: Error | null, varbinds?: Varbind[]) => void): Session;
      subtree(
        oid: string,
        maxRepetitions: number,
        feedCallback: (varbinds: Varbind[]) => boolean | undefined,
        doneCallback: (error: Error | null) => void,
      ): Session;
      close(): Session;
    }

    interface AgentOptions {
      port?: number;
      address?: string | null;
      transport?: 'udp4' | 'udp6';
      disableAuthorization?: boolean;
    }

    interface TableColumn {
      number: number;
      name: string;
      type: number;
      maxAccess: number;
    }

    interface ProviderDefinition {
      name: string;
      type: number;
      oid: string;
      maxAccess: number;
      scalarType?: number;
      tableColumns?: TableColumn[];
      tableIndex?: { columnName: string; foreign?: string }[];
    }

    interface Mib {
      registerProvider(definition: ProviderDefinition): void;
      setScalarValue(name: string, value: unknown): void;
      addTableRow(name: string, row: unknown[]): void;
      setTableSingleCell(name: string, columnNumber: number, rowIndex: unknown[], value: unknown): void;
    }

    interface Authorizer {
      addCommunity(community: string): void;
    }

    interface Agent {
      getMib(): Mib;
      getAuthorizer(): Authorizer;
      close(callback?: (socket: { address: string; family: string; port: number }) => void): void;
    }
  }

  const snmp: {
    Version1: number;
    Version2c: number;
    ObjectType: Readonly<Record<'Integer' | 'Integer32' | 'OctetString' | 'Gauge' | 'Counter', number>>;
    MibProviderType: Readonly<Record<'Scalar' | 'Table', number>>;
    MaxAccess: Readonly<Record<'not-accessible' | 'read-only' | 'read-write', number>>;
    createSession(target: string, community: string, options: snmp.SessionOptions): snmp.Session;
    createAgent(options: snmp.AgentOptions, callback: (error: Error | null, data: unknown) => void): snmp.Agent;
    isVarbindError(varbind: snmp.Varbind): boolean;
    varbindError(varbind: snmp.Varbind): string;
  };

  export = snmp;
}
