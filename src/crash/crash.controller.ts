import {
  Body,
  Controller,
  Get,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScope } from '../auth/scopes.decorator';
import type { RequestWithPrincipal } from '../auth/principal';
import { readDumpBody } from '../http/dump-body';
import { validateFields } from '../http/validate-fields';
import { ListBucketsQuery, ListDumpsQuery, PromoteBucketDto, SubmitFields } from './crash.dto';
import { CrashService } from './crash.service';
import { PromotionService } from './promotion.service';

const SUBMIT_FIELDS = new Set(['source', 'host', 'collectedAt', 'metadata']);

const DUMP_BODY = {
  schema: {
    oneOf: [
      { type: 'string', description: 'text/plain: the dump itself' },
      {
        type: 'object',
        required: ['content'],
        properties: {
          content: { type: 'string' },
          source: { type: 'string' },
          host: { type: 'string' },
          collectedAt: { type: 'string', format: 'date-time' },
          metadata: { type: 'object' },
        },
      },
    ],
  },
};

@ApiTags('crashes')
@ApiBearerAuth()
@Controller('api/v1')
export class CrashController {
  constructor(
    private readonly crash: CrashService,
    private readonly promotion: PromotionService,
  ) {}

  @Post('parse')
  @RequireScope('read')
  @ApiOperation({ summary: 'Parse a dump into a ParsedDump; stores nothing.' })
  @ApiConsumes('text/plain', 'application/json')
  @ApiBody(DUMP_BODY)
  parse(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { content } = readDumpBody(req);
    res.status(HttpStatus.OK);
    return this.crash.parse(content);
  }

  @Post('match')
  @RequireScope('read')
  @ApiOperation({ summary: 'Parse a dump and match it against the known bugs; stores nothing.' })
  @ApiConsumes('text/plain', 'application/json')
  @ApiBody(DUMP_BODY)
  match(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { content } = readDumpBody(req);
    res.status(HttpStatus.OK);
    return this.crash.match(content);
  }

  @Post('dumps')
  @RequireScope('submit')
  @ApiOperation({
    summary: 'Store a dump, parse and match it. 201 when new, 200 for a repeat of the same content.',
  })
  @ApiConsumes('text/plain', 'application/json')
  @ApiBody(DUMP_BODY)
  async submit(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { content, fields } = readDumpBody(req);
    // Known fields are checked; any other field a bot sends is kept in metadata, not refused.
    const meta = validateFields(SubmitFields, fields, { forbidUnknown: false });
    const extra = Object.fromEntries(Object.entries(fields).filter(([k]) => !SUBMIT_FIELDS.has(k)));
    const metadata = Object.keys(extra).length
      ? { ...extra, ...(meta.metadata ?? {}) }
      : (meta.metadata ?? null);
    const result = await this.crash.submit(content, { ...meta, metadata, source: meta.source ?? 'api' });
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Get('dumps')
  @RequireScope('read')
  @ApiOperation({ summary: 'Stored dumps, newest first, filtered by signature, bucket, kind, since.' })
  async listDumps(@Query() q: ListDumpsQuery) {
    return this.crash.listDumps({
      signatureId: q.signature,
      bucketId: q.bucket,
      kind: q.kind,
      since: q.since,
      limit: q.limit,
      offset: (q.page - 1) * q.limit,
    });
  }

  @Get('dumps/:id')
  @RequireScope('read')
  getDump(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.crash.getDump(id);
  }

  @Get('buckets')
  @RequireScope('read')
  @ApiOperation({
    summary: 'Dumps grouped by fingerprint; by default the unknown bugs, most frequent first.',
  })
  listBuckets(@Query() q: ListBucketsQuery) {
    return this.crash.listBuckets({
      status: q.status,
      sort: q.sort,
      limit: q.limit,
      offset: (q.page - 1) * q.limit,
    });
  }

  @Get('buckets/:id')
  @RequireScope('read')
  getBucket(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.crash.getBucket(id);
  }

  @Post('buckets/:id/promote')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Turn a bucket into a signature (from its representative dump) and label its dumps.',
  })
  promote(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: PromoteBucketDto,
    @Req() req: Request & RequestWithPrincipal,
  ) {
    return this.promotion.promote(id, body, req.principal?.name ?? 'unknown');
  }
}
