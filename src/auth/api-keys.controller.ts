import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyCreatedDto, CreateApiKeyDto } from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';
import { RequireScope } from './scopes.decorator';

@ApiTags('api-keys')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({
    type: ApiKeyCreatedDto,
    description: 'The key is in the answer once and never again.',
  })
  create(@Body() body: CreateApiKeyDto) {
    return this.apiKeys.create(body.name, body.scopes);
  }

  @Get()
  async list() {
    return { items: await this.apiKeys.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.apiKeys.revoke(id))) throw new NotFoundException(`no live API key ${id}`);
  }
}
