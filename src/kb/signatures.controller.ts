import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  PreconditionFailedException,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { RequestWithPrincipal } from '../auth/principal';
import { RequireScope } from '../auth/scopes.decorator';
import { FreshIndexInterceptor } from '../crash/fresh-index.interceptor';
import { cleanText } from '../crash/lossless';
import { readDumpBody } from '../http/dump-body';
import { ImportExportService } from './import-export.service';
import {
  CreateNoteDto,
  CreateSignatureDto,
  FixDto,
  ImportBundleDto,
  ImportQueryDto,
  ListSignaturesQueryDto,
  UpdateSignatureDto,
} from './kb.dto';
import { SignaturesService } from './signatures.service';

const uuid = new ParseUUIDPipe({ version: undefined });
const who = (req: RequestWithPrincipal): string | null => req.principal?.name ?? null;

/** `If-Match: "3"`, `W/"3"` or `3` → 3; absent → null. */
function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined || header.trim() === '') return null;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw new PreconditionFailedException('If-Match must be the signature version, e.g. If-Match: "3"');
  return Number(m[1]);
}

// Static routes (export, import, from-dump) are declared before `:id`, and ids are checked
// as UUIDs, so `/export` is never taken for an id.
@ApiTags('signatures')
@ApiBearerAuth()
@UseInterceptors(FreshIndexInterceptor)
@Controller('api/v1/signatures')
export class SignaturesController {
  constructor(
    private readonly signatures: SignaturesService,
    private readonly bundles: ImportExportService,
  ) {}

  @Get('export')
  @RequireScope('read')
  @ApiOperation({ summary: 'The whole knowledge base as a versioned bundle (keyed on `key`, no ids)' })
  exportBundle() {
    return this.bundles.exportBundle();
  }

  @Post('import')
  @HttpCode(200)
  @RequireScope('write')
  @ApiOperation({
    summary: 'Import a bundle: creates new keys, updates changed ones, leaves equal ones alone',
  })
  async importBundle(
    @Body() bundle: ImportBundleDto,
    @Query() query: ImportQueryDto,
    @Req() req: RequestWithPrincipal,
  ) {
    const summary = await this.bundles.importBundle(bundle, { dryRun: query.dryRun ?? false, by: who(req) });
    if (!summary.dryRun && summary.created + summary.updated > 0) await this.bundles.analyze();
    return summary;
  }

  @Post('from-dump')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Derive a signature from a dump (text/plain, or JSON {content, title?, fixes?, notes?})',
  })
  @ApiConsumes('application/json', 'text/plain')
  @ApiBody({
    schema: { type: 'object', properties: { content: { type: 'string' }, title: { type: 'string' } } },
  })
  fromDump(@Req() req: Request & RequestWithPrincipal) {
    const { content, fields } = readDumpBody(req);
    // Parsed like a submitted dump: without the NULs a console pads with (src/crash/lossless.ts).
    return this.signatures.fromDump(cleanText(content), fields, who(req));
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'Search known issues (q: full text + fuzzy identifiers) or list them, newest first',
  })
  list(@Query() query: ListSignaturesQueryDto) {
    return this.signatures.list({ ...query, limit: query.limit ?? 50, page: query.page ?? 1 });
  }

  @Post()
  @RequireScope('write')
  create(@Body() body: CreateSignatureDto, @Req() req: RequestWithPrincipal) {
    return this.signatures.create(body, who(req));
  }

  @Get(':id')
  @RequireScope('read')
  async get(@Param('id', uuid) id: string, @Res({ passthrough: true }) res: Response) {
    const s = await this.signatures.get(id);
    res.setHeader('ETag', `"${s.version}"`);
    return s;
  }

  @Patch(':id')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Partial update; needs the current version (body `version` or If-Match), 409 when stale',
  })
  async update(
    @Param('id', uuid) id: string,
    @Body() body: UpdateSignatureDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: RequestWithPrincipal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const s = await this.signatures.update(id, body, parseIfMatch(ifMatch), who(req));
    res.setHeader('ETag', `"${s.version}"`);
    return s;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('write')
  async remove(@Param('id', uuid) id: string, @Req() req: RequestWithPrincipal): Promise<void> {
    await this.signatures.remove(id, who(req));
  }

  @Post(':id/restore')
  @HttpCode(200)
  @RequireScope('write')
  restore(@Param('id', uuid) id: string, @Req() req: RequestWithPrincipal) {
    return this.signatures.restore(id, who(req));
  }

  @Post(':id/fixes')
  @RequireScope('write')
  addFix(@Param('id', uuid) id: string, @Body() fix: FixDto, @Req() req: RequestWithPrincipal) {
    return this.signatures.addFix(id, fix, who(req));
  }

  @Delete(':id/fixes/:fixId')
  @HttpCode(204)
  @RequireScope('write')
  async removeFix(
    @Param('id', uuid) id: string,
    @Param('fixId', uuid) fixId: string,
    @Req() req: RequestWithPrincipal,
  ): Promise<void> {
    await this.signatures.removeFix(id, fixId, who(req));
  }

  @Post(':id/notes')
  @RequireScope('write')
  addNote(@Param('id', uuid) id: string, @Body() note: CreateNoteDto, @Req() req: RequestWithPrincipal) {
    return this.signatures.addNote(id, note.body, who(req));
  }

  @Delete(':id/notes/:noteId')
  @HttpCode(204)
  @RequireScope('write')
  async removeNote(
    @Param('id', uuid) id: string,
    @Param('noteId', uuid) noteId: string,
    @Req() req: RequestWithPrincipal,
  ): Promise<void> {
    await this.signatures.removeNote(id, noteId, who(req));
  }
}
