import {
  Body,
  Controller,
  DefaultValuePipe,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length, MaxLength } from 'class-validator';
import { RequireScope } from '../auth/scopes.decorator';
import { EVENTS, type NotifyEvent } from './notify.repository';
import { SubscriptionsService } from './subscriptions.service';

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'https://hooks.example.com/crashkb' })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({
    description: 'shared secret for X-Crashkb-Signature (at least 16 characters); stored encrypted',
  })
  @IsString()
  @Length(16, 512)
  secret: string;

  @ApiProperty({ enum: EVENTS, isArray: true, example: ['dump.matched', 'bucket.created'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EVENTS, { each: true, message: `each event must be one of ${EVENTS.join(', ')}` })
  events: NotifyEvent[];
}

@ApiTags('subscriptions')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api/v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to signed notifications (private addresses refused unless allowed)',
  })
  create(@Body() body: CreateSubscriptionDto) {
    return this.subscriptions.create(body);
  }

  @Get()
  list() {
    return this.subscriptions.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.subscriptions.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.subscriptions.delete(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a subscription paused after a day of failures' })
  resume(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.subscriptions.resume(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The delivery log, newest first' })
  deliveries(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('limit', new DefaultValuePipe(100), new ParseIntPipe()) limit: number,
  ) {
    return this.subscriptions.deliveries(id, Math.min(Math.max(limit, 1), 500));
  }
}
