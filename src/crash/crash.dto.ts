import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsDate,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { CRASH_KINDS } from '../core/types';
import { validateFields } from '../http/validate-fields';
import { ValidationFailed } from '../http/validation';

export class PageQuery {
  @ApiPropertyOptional({ default: 50, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  @ApiPropertyOptional({ default: 1, description: 'counts from 1' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;
}

export class ListDumpsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'signature id' })
  @IsOptional()
  @IsUUID()
  signature?: string;

  @ApiPropertyOptional({ description: 'bucket id' })
  @IsOptional()
  @IsUUID()
  bucket?: string;

  @ApiPropertyOptional({ enum: CRASH_KINDS })
  @IsOptional()
  @IsIn(CRASH_KINDS)
  kind?: string;

  @ApiPropertyOptional({ description: 'ISO time: dumps last seen at or after it' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'since must be an ISO 8601 time' })
  since?: Date;
}

export class ListBucketsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['count', 'recent'], default: 'count' })
  @IsOptional()
  @IsIn(['count', 'recent'])
  sort: 'count' | 'recent' = 'count';

  @ApiPropertyOptional({ enum: ['unmatched', 'matched', 'all'], default: 'unmatched' })
  @IsOptional()
  @IsIn(['unmatched', 'matched', 'all'])
  status: 'unmatched' | 'matched' | 'all' = 'unmatched';
}

/** The JSON fields that may come with a submitted dump besides `content`. */
export class SubmitFields {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[^\0]*$/, { message: 'source must not contain NUL (\\u0000)' })
  source?: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  @Matches(/^[^\0]*$/, { message: 'host must not contain NUL (\\u0000)' })
  host?: string;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'collectedAt must be an ISO 8601 time' })
  collectedAt?: Date;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class PromoteBucketDto {
  @ApiPropertyOptional({ description: 'title for the new signature (default: the parsed title)' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  title?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  notes?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsArray()
  fixes?: unknown[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];
}

export interface SubmitMetaInput {
  source: string;
  host: string | null;
  collectedAt: Date | null;
  metadata: Record<string, unknown> | null;
}

/**
 * The fields beside a submitted dump: the known ones are checked; any other field a bot sends
 * is kept in metadata, not refused. Metadata is not run through class-transformer, which
 * recurses: it may be nested up to the body limit's depth (src/http/hostile-input.ts).
 */
export function readSubmitFields(fields: Record<string, unknown>): SubmitMetaInput {
  const { source, host, collectedAt, metadata, ...extra } = fields;
  const meta = validateFields(SubmitFields, { source, host, collectedAt }, { forbidUnknown: false });
  if (
    metadata !== undefined &&
    metadata !== null &&
    (typeof metadata !== 'object' || Array.isArray(metadata))
  ) {
    throw new ValidationFailed([{ field: 'metadata', messages: ['metadata must be an object'] }]);
  }
  const given = (metadata ?? null) as Record<string, unknown> | null;
  return {
    source: meta.source ?? 'api',
    host: meta.host ?? null,
    collectedAt: meta.collectedAt ?? null,
    metadata: Object.keys(extra).length ? { ...extra, ...(given ?? {}) } : given,
  };
}
