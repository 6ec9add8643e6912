import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SnmpPrinterProbe, SnmpProbeError, type SnmpProbeTarget } from '../../src/printers/snmp-printer-probe.js';
import { freeUdpPort } from '../../scripts/lib/free-port.js';
import { PrinterSnmpAgent } from '../../scripts/lib/printer-snmp-agent.js';

const COMMUNITY = 'ix-test';

describe(SnmpPrinterProbe.name, () => {
  let agent: PrinterSnmpAgent;
  let target: SnmpProbeTarget;
  const sut = new SnmpPrinterProbe();

  beforeAll(async () => {
    agent = await PrinterSnmpAgent.start(COMMUNITY, [
      { index: 1, description: 'Black Ribbon', maxCapacity: 200, level: 50 },
      { index: 2, description: 'Labels', maxCapacity: -2, level: -3 },
    ]);
    target = { host: '127.0.0.1', port: agent.port, community: COMMUNITY, timeoutMs: 1000 };
  });

  afterAll(async () => {
    await agent.close();
  });

  it('reports an idle printer as online with no errors', async () => {
    const snapshot = await sut.probe(target);
    expect(snapshot).toMatchObject({ online: true, state: 'idle', errors: [] });
  });

  it('parses the supplies with their percentage', async () => {
    const snapshot = await sut.probe(target);
    expect(snapshot.supplies).toEqual([
      { index: 1, description: 'Black Ribbon', level: 50, max_capacity: 200, percent: 25 },
      { index: 2, description: 'Labels', level: -3, max_capacity: -2, percent: null },
    ]);
  });

  it('decodes error bits the printer raises after a first probe', async () => {
    await expect(sut.probe(target)).resolves.toMatchObject({ errors: [] });
    agent.setStatus(1);
    agent.setErrors(['no_paper', 'door_open']);
    await expect(sut.probe(target)).resolves.toMatchObject({
      online: true,
      state: 'other',
      errors: ['no_paper', 'door_open'],
    });
  });

  it('reports a printer paused at its panel as offline', async () => {
    agent.setErrors(['offline']);
    await expect(sut.probe(target)).resolves.toMatchObject({ online: false, errors: ['offline'] });
    agent.setStatus(3);
    agent.setErrors([]);
  });

  it('rejects within about the timeout when nothing answers on the port', async () => {
    const port = await freeUdpPort();
    const started = performance.now();
    const probe = sut.probe({ ...target, port, timeoutMs: 300 });
    await expect(probe).rejects.toBeInstanceOf(SnmpProbeError);
    await expect(probe).rejects.toThrow('SNMP probe of 127.0.0.1 failed: Request timed out');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1000);
  });

  it('rejects with the host and the cause once the agent has stopped', async () => {
    await agent.close();
    const started = performance.now();
    const error = await sut.probe({ ...target, timeoutMs: 400 }).catch((err: unknown) => err);
    expect(performance.now() - started).toBeLessThan(1200);
    expect(error).toBeInstanceOf(SnmpProbeError);
    expect(error).toMatchObject({ host: '127.0.0.1', message: expect.stringContaining('Request timed out') });
    expect((error as SnmpProbeError).cause).toBeInstanceOf(Error);
  });
});
