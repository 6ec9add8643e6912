import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../config/app-config.js';
import type { SchedulerRepository } from './scheduler.repository.js';
import { DECLARED_TASKS } from './task-names.js';
import { TaskRegistry } from './task-registry.js';

function repository(): SchedulerRepository {
  return {
    recordRun: () => Promise.resolve(),
    tryLock: () => Promise.resolve({ release: () => Promise.resolve() }),
    latestRuns: () => Promise.resolve(new Map()),
    lockedTasks: () => Promise.resolve(new Set()),
  } as unknown as SchedulerRepository;
}

function registry(role: AppConfig['role']): TaskRegistry {
  return new TaskRegistry({ role, shutdownGraceS: 1 } as AppConfig, repository(), new SchedulerRegistry());
}

const noop = () => Promise.resolve();

describe(TaskRegistry.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('onApplicationBootstrap', () => {
    it('refuses to start a scheduling replica when a declared task has no handler, naming it', async () => {
      const sut = registry('worker');
      for (const name of DECLARED_TASKS.filter((n) => n !== 'retention')) {
        sut.register({ name, scope: 'cluster', intervalMs: 60_000, handler: noop });
      }
      expect(() => sut.onApplicationBootstrap()).toThrow(/without a handler: retention/);
      await sut.beforeApplicationShutdown();
    });

    it('schedules every task, aligned on the wall clock, once all declared tasks have handlers', async () => {
      const sut = registry('all');
      for (const name of DECLARED_TASKS) {
        sut.register({ name, scope: 'cluster', intervalMs: 60_000, handler: noop });
      }
      sut.onApplicationBootstrap();
      for (const state of sut.states()) {
        expect(state.scheduled).toBe(true);
        expect(state.nextRunAt!.getTime() % 60_000).toBe(0);
        expect(state.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
      }
      await sut.beforeApplicationShutdown();
    });

    it('schedules nothing and checks nothing on an API-only replica', async () => {
      const sut = registry('api');
      sut.register({ name: 'retention', scope: 'cluster', intervalMs: 60_000, handler: noop });
      expect(() => sut.onApplicationBootstrap()).not.toThrow();
      expect(sut.states()[0]).toMatchObject({ scheduled: false, nextRunAt: null });
      await sut.beforeApplicationShutdown();
    });
  });

  describe('register', () => {
    it('rejects a duplicate name, a non-kebab name and a too short interval', () => {
      const sut = registry('api');
      sut.register({ name: 'a-task', scope: 'instance', intervalMs: 1_000, handler: noop });
      expect(() => sut.register({ name: 'a-task', scope: 'instance', intervalMs: 1_000, handler: noop })).toThrow(
        /twice/,
      );
      expect(() => sut.register({ name: 'A Task', scope: 'instance', intervalMs: 1_000, handler: noop })).toThrow(
        /kebab/,
      );
      expect(() => sut.register({ name: 'b-task', scope: 'instance', intervalMs: 5, handler: noop })).toThrow(
        /interval/,
      );
    });
  });

  describe('trigger', () => {
    it('records an ok run with its result, and an error run with its message', async () => {
      const sut = registry('api');
      sut.register({ name: 'good', scope: 'instance', intervalMs: 60_000, handler: () => Promise.resolve({ n: 2 }) });
      sut.register({
        name: 'bad',
        scope: 'cluster',
        intervalMs: 60_000,
        handler: () => Promise.reject(new Error('nope')),
      });
      const good = await sut.trigger('good');
      await expect(good.done).resolves.toMatchObject({ status: 'ok', result: { n: 2 }, trigger: 'manual' });
      const bad = await sut.trigger('bad');
      await expect(bad.done).resolves.toMatchObject({ status: 'error', error: 'nope' });
      expect(sut.state('bad')).toMatchObject({ lastStatus: 'error', consecutiveFailures: 1, inFlight: null });
    });
  });
});
