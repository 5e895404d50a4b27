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
import { ListBucketsQuery, ListDumpsQuery, PromoteBucketDto, readSubmitFields } from './crash.dto';
import { CrashService, submitAnswerJson } from './crash.service';
import { PromotionService } from './promotion.service';

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
    summary:
      'Store a dump, parse and match it. 201 when new, 200 for a repeat of the same bytes. Any bytes are kept exactly (GET /dumps/{id}/raw).',
  })
  @ApiConsumes('text/plain', 'application/json')
  @ApiBody(DUMP_BODY)
  async submit(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { content, raw, fields } = readDumpBody(req);
    const result = await this.crash.submit(content, readSubmitFields(fields), raw);
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    // The JSON express would make of `result`, with `parsed` serialised once (on the worker).
    res.type('application/json');
    return submitAnswerJson(result);
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
  @ApiOperation({
    summary:
      'A stored dump with content, parsed and matches. contentExact false: the dump had bytes that are not UTF-8; /raw has them.',
  })
  getDump(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.crash.getDump(id);
  }

  @Get('dumps/:id/raw')
  @RequireScope('read')
  @ApiOperation({
    summary: 'The stored dump exactly as it was received, byte for byte (application/octet-stream).',
  })
  async getDumpRaw(@Param('id', new ParseUUIDPipe()) id: string, @Res() res: Response) {
    const bytes = await this.crash.getDumpBytes(id);
    res
      .status(HttpStatus.OK)
      .setHeader('Content-Type', 'application/octet-stream')
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Content-Disposition', `attachment; filename="dump-${id}.txt"`)
      .end(bytes);
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
