import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { QUEUE_CHANNEL } from './queue.sql.js';

const MAX_BACKOFF_MS = 15_000;

/**
 * A dedicated connection (outside the pool) LISTENing for new work. When the server restarts or kills the
 * backend, the client emits `error` then `end` and cannot be reused: a new one is made with backoff, LISTENs
 * again, then wakes its subscribers once so they catch up on NOTIFYs sent while nobody listened.
 */
@Injectable()
export class QueueListener implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueListener.name);
  private readonly subscribers = new Set<() => void>();
  private client: pg.Client | undefined;
  private listening = false;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastErrorMessage: string | undefined;
  private connectedAt: Date | undefined;

  constructor(private readonly config: AppConfig) {}

  get isListening(): boolean {
    return this.listening;
  }

  get lastError(): string | undefined {
    return this.lastErrorMessage;
  }

  get since(): Date | undefined {
    return this.connectedAt;
  }

  /** Calls `fn` on every NOTIFY and after every (re)connect; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Resolves after the first connection attempt (successful or not; failures keep retrying in the background). */
  async start(): Promise<void> {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private emit(): void {
    for (const fn of this.subscribers) {
      fn();
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const client = new pg.Client({
      connectionString: this.config.database.url,
      application_name: 'ix-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    // Without an error handler a server restart would crash the process.
    client.on('error', (err) => {
      this.lastErrorMessage = err.message;
    });
    client.on('notification', () => this.emit());
    client.on('end', () => {
      if (this.client !== client) {
        return;
      }
      this.client = undefined;
      this.listening = false;
      if (!this.stopped) {
        this.logger.warn({ err: this.lastErrorMessage }, 'queue listener connection lost; reconnecting');
        this.scheduleReconnect();
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.listening = true;
      this.connectedAt = new Date();
      if (this.attempt > 0) {
        this.logger.log({ attempts: this.attempt }, 'queue listener reconnected');
      }
      this.attempt = 0;
      this.emit(); // catch up: NOTIFYs sent while we were not listening are lost
    } catch (err) {
      this.lastErrorMessage = (err as Error).message;
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) {
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
