import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RequireScope } from '../auth/scopes.decorator';
import { HistoryRepository } from './history.repository';
import { explainIndicators, indicatorTables } from './indicators';
import { readIndicators } from './indicators-input';

export class HistoryQuery {
  @ApiPropertyOptional({ default: 90, minimum: 1, maximum: 3650, description: 'days the chart covers' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number' })
  @Min(1)
  @Max(3650)
  days?: number;
}

const KERNEL_FORMATS = new Set(['linux-kernel', 'crash-utility']);

/** Read-only views the triage page needs beyond the core API: indicator meanings, a bug's history. */
@ApiTags('triage')
@ApiBearerAuth()
@Controller('api/v1')
export class TriageController {
  constructor(private readonly history: HistoryRepository) {}

  @Get('indicators')
  @RequireScope('read')
  @ApiOperation({
    summary: 'What poison values, fill bytes, shadow bytes and fault addresses mean (the parser tables)',
  })
  tables() {
    return indicatorTables();
  }

  @Post('indicators/explain')
  @HttpCode(200)
  @RequireScope('read')
  @ApiOperation({
    summary: 'Explain the indicators of a ParsedDump: body {indicators, format?}, answers {items: [...]}',
  })
  explain(@Body() body: unknown) {
    const { indicators, format } = readIndicators(body);
    return {
      items: explainIndicators(
        indicators,
        KERNEL_FORMATS.has(format ?? 'linux-kernel') ? 'kernel' : 'userspace',
      ),
    };
  }

  @Get('signatures/:id/history')
  @RequireScope('read')
  @ApiOperation({
    summary: 'A known bug over time: dumps per day, hosts, kernels, first and last seen, recent dumps',
  })
  async signatureHistory(@Param('id', new ParseUUIDPipe()) id: string, @Query() q: HistoryQuery) {
    if (!(await this.history.signatureExists(id))) throw new NotFoundException(`no signature ${id}`);
    return this.history.signatureHistory(id, q.days ?? 90);
  }
}
