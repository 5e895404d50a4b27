import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { Public, RequireScope } from '../auth/scopes.decorator';
import { WEBHOOK_FORMATS } from './formats';
import { WebhooksService } from './webhooks.service';

export class CreateWebhookSourceDto {
  @ApiProperty({ example: 'kdump-fleet' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/i, { message: 'name: letters, digits, - or _, at most 64' })
  name: string;

  @ApiProperty({ description: 'shared secret for the HMAC-SHA256 signature (at least 16 characters)' })
  @IsString()
  @Length(16, 512)
  secret: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'generic',
    description: 'what the collector sends: README "Collector formats"',
  })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS, { message: `format must be one of ${WEBHOOK_FORMATS.join(', ')}` })
  format?: string;
}

@ApiTags('webhooks')
@Controller('api/v1')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('webhooks/:source')
  @Public()
  @ApiOperation({
    summary:
      'A crash collector delivers dumps. Authenticated by X-Crashkb-Signature, not an API key; 202 once stored.',
  })
  @ApiHeader({
    name: 'X-Crashkb-Signature',
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
  })
  @ApiHeader({ name: 'X-Crashkb-Delivery', description: 'unique id of this delivery' })
  async receive(
    @Param('source') source: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await this.webhooks.receive({
      source,
      signature: req.header('x-crashkb-signature'),
      deliveryId: req.header('x-crashkb-delivery'),
      rawBody: raw,
      contentType: req.header('content-type') ?? null,
    });
    res.status(result.accepted ? 202 : 200);
    return { deliveryId: result.deliveryId, status: result.status };
  }

  @Get('webhooks/deliveries/:deliveryId')
  @ApiBearerAuth()
  @RequireScope('read')
  delivery(@Param('deliveryId') id: string) {
    return this.webhooks.delivery(id);
  }

  @Post('webhook-sources')
  @ApiBearerAuth()
  @RequireScope('admin')
  async createSource(@Body() body: CreateWebhookSourceDto, @Res({ passthrough: true }) res: Response) {
    const { row, created } = await this.webhooks.upsertSource(
      body.name,
      body.secret,
      body.format ?? 'generic',
    );
    res.status(created ? 201 : 200);
    return row;
  }

  @Get('webhook-sources')
  @ApiBearerAuth()
  @RequireScope('admin')
  async listSources() {
    return { items: await this.webhooks.listSources() };
  }

  @Delete('webhook-sources/:name')
  @ApiBearerAuth()
  @RequireScope('admin')
  @HttpCode(204)
  deleteSource(@Param('name') name: string) {
    return this.webhooks.deleteSource(name);
  }
}
