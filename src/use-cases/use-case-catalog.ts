import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { loadUseCasesFromDir } from './use-case.loader.js';
import type { UseCaseDefinition } from './use-case.types.js';
import { type StoredUseCase, UseCasesRepository } from './use-cases.repository.js';

/** Names change rarely (a file at boot, an admin PUT); submits check against a short-lived cache. */
const NAMES_TTL_MS = 5_000;

/**
 * The use cases in force. At boot (onModuleInit, so before the app serves or a worker claims): load and
 * validate every file in IX_USE_CASES_DIR — a broken file stops boot naming file and field — then seed
 * each as a new version when it changed. Jobs read the latest version from the database, so a version added by
 * `PUT /use-cases/{name}` on any replica is used everywhere.
 */
@Injectable()
export class UseCaseCatalog implements OnModuleInit {
  private readonly logger = new Logger(UseCaseCatalog.name);
  private names: { at: number; values: Set<string> } | undefined;
  private loadedFiles = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: UseCasesRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const definitions = loadUseCasesFromDir(this.config.pipeline.useCasesDir);
    this.loadedFiles = definitions.length;
    for (const definition of definitions) {
      const { version, added } = await this.repository.addVersion(definition, 'file');
      if (added) {
        this.logger.log({ use_case: definition.name, version }, 'use case seeded');
      }
    }
    this.names = undefined;
  }

  get filesLoaded(): number {
    return this.loadedFiles;
  }

  async all(): Promise<StoredUseCase[]> {
    return this.repository.latestAll();
  }

  async get(name: string): Promise<StoredUseCase> {
    const found = await this.repository.latest(name);
    if (!found) {
      throw new NotFoundError(`use case "${name}"`);
    }
    return found;
  }

  async has(name: string): Promise<boolean> {
    if (!this.names || Date.now() - this.names.at > NAMES_TTL_MS) {
      const all = await this.repository.latestAll();
      this.names = { at: Date.now(), values: new Set(all.map((u) => u.name)) };
    }
    return this.names.values.has(name);
  }

  async knownNames(): Promise<string[]> {
    await this.has('');
    return [...(this.names?.values ?? [])].sort();
  }

  async put(definition: UseCaseDefinition): Promise<StoredUseCase> {
    await this.repository.addVersion(definition, 'api');
    this.names = undefined;
    return this.get(definition.name);
  }
}
