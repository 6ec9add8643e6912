import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ValidationFailedError } from '../common/errors/domain-error.js';
import { rfc3339 } from '../common/time.js';
import { UseCaseCatalog } from './use-case-catalog.js';
import { parseUseCase, UseCaseLoadError } from './use-case.loader.js';
import { useCaseJsonSchema } from './use-case.schema.js';
import type { UseCaseDefinition } from './use-case.types.js';
import type { StoredUseCase } from './use-cases.repository.js';

export interface UseCaseResponse {
  name: string;
  version: number;
  source: 'file' | 'api';
  created_at: string;
  definition: UseCaseDefinition;
  /** The JSON Schema an LLM answer must match. */
  answer_schema: object;
}

function toUseCaseResponse(u: StoredUseCase): UseCaseResponse {
  return {
    name: u.name,
    version: u.version,
    source: u.source,
    created_at: rfc3339(u.createdAt),
    definition: u.definition,
    answer_schema: useCaseJsonSchema(u.definition),
  };
}

@ApiTags('use-cases')
@ApiBearerAuth()
@Controller('use-cases')
export class UseCasesController {
  constructor(private readonly catalog: UseCaseCatalog) {}

  @Get()
  @ApiOperation({ summary: 'Every use case, latest version' })
  async list(): Promise<{ items: UseCaseResponse[] }> {
    return { items: (await this.catalog.all()).map(toUseCaseResponse) };
  }

  @Get(':name')
  @ApiOperation({ summary: 'One use case, latest version, with the JSON Schema of its answer' })
  @ApiOkResponse({ description: 'The use case' })
  async get(@Param('name') name: string): Promise<UseCaseResponse> {
    return toUseCaseResponse(await this.catalog.get(name));
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminKeyGuard)
@Controller('use-cases')
export class AdminUseCasesController {
  constructor(private readonly catalog: UseCaseCatalog) {}

  @Put(':name')
  @ApiOperation({
    summary: 'Add a version of a use case (same structure as the YAML files, as JSON)',
    description: 'Jobs submitted afterwards run with the new version; each job records the version it ran with.',
  })
  @ApiBody({ schema: { type: 'object', example: { name: 'invoice', description: '…', fields: {} } } })
  async put(@Param('name') name: string, @Body() body: unknown): Promise<UseCaseResponse> {
    let definition: UseCaseDefinition;
    try {
      definition = parseUseCase({ name, ...(body as object) }, `PUT /use-cases/${name}`);
    } catch (err) {
      if (err instanceof UseCaseLoadError) {
        throw new ValidationFailedError(err.message, err.issues);
      }
      throw err;
    }
    if (definition.name !== name) {
      throw new ValidationFailedError(`the body names use case "${definition.name}" but the path says "${name}"`);
    }
    return toUseCaseResponse(await this.catalog.put(definition));
  }
}
