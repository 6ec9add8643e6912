import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job } from '../jobs/job.model.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { JobsService, type SubmitJobInput } from '../jobs/jobs.service.js';

/**
 * The processors' door to the jobs module. `JobsModule.forRoot()` builds a new module on every call (Nest ids
 * dynamic modules by reference), so importing it here would create a second worker; the app's one JobsService and
 * JobsRepository are looked up instead, once every provider exists.
 */
@Injectable()
export class JobsGateway implements OnModuleInit {
  private service: JobsService | undefined;
  private repository: JobsRepository | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.service = this.moduleRef.get(JobsService, { strict: false });
    this.repository = this.moduleRef.get(JobsRepository, { strict: false });
  }

  submit(input: SubmitJobInput): Promise<{ job: Job; created: boolean }> {
    return this.jobs().submit(input);
  }

  findById(id: string): Promise<Job | null> {
    if (!this.repository) {
      throw new Error('JobsGateway used before module init');
    }
    return this.repository.findById(id, null);
  }

  private jobs(): JobsService {
    if (!this.service) {
      throw new Error('JobsGateway used before module init');
    }
    return this.service;
  }
}
