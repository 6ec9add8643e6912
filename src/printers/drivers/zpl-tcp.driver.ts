import { connect } from 'node:net';
import { PrinterDriver, PrinterUnreachableError, type PrintJobRef } from './printer-driver.js';

export interface ZplTcpDriverOptions {
  host: string;
  /** raw print port, 9100 on every ZPL printer */
  port: number;
  connectTimeoutMs: number;
  /** longest silence allowed once connected, while sending and while waiting for the printer to close */
  idleTimeoutMs: number;
}

/**
 * ZPL over raw TCP ("port 9100", "JetDirect"). A label counts as delivered only when the printer has closed the
 * connection after our end of data: a printer that never reads, or vanishes, times out instead.
 */
export class ZplTcpDriver extends PrinterDriver {
  constructor(private readonly options: ZplTcpDriverOptions) {
    super();
  }

  send(zpl: string, _job: PrintJobRef): Promise<void> {
    const { host, port, connectTimeoutMs, idleTimeoutMs } = this.options;
    const address = `${host}:${port}`;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const socket = connect({ host, port });
      const fail = (cause: unknown) => {
        if (!settled) {
          settled = true;
          clearTimeout(connectTimer);
          socket.destroy();
          reject(new PrinterUnreachableError(address, cause));
        }
      };
      const connectTimer = setTimeout(
        () => fail(new Error(`connect timed out after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      // Kept for the socket's whole life, so a late error (after settling) is never unhandled.
      socket.on('error', fail);
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        socket.setTimeout(idleTimeoutMs, () =>
          fail(new Error(`no progress for ${idleTimeoutMs} ms (printer not reading or not closing)`)),
        );
        // Some printers answer (e.g. to ~HS): read and drop it, or a full receive buffer would stall the close.
        socket.resume();
        socket.end(zpl, 'utf8');
      });
      socket.once('close', (hadError) => {
        if (!settled && !hadError) {
          settled = true;
          clearTimeout(connectTimer);
          if (socket.bytesWritten < Buffer.byteLength(zpl, 'utf8')) {
            reject(new PrinterUnreachableError(address, new Error('connection closed before the label was sent')));
          } else {
            resolve();
          }
        }
      });
    });
  }
}
