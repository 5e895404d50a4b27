// Request shapes for the knowledge base. The global ValidationPipe turns every rejection into
// a 400 that names the field (`matcher.patterns.0.pattern: ...`), so the rules live here.
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ValidatorConstraint,
  Validate,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { checkPattern } from '../core/re2';
import { CRASH_KINDS, type CrashKind, type FixKind } from '../core/types';
import {
  FIX_KINDS,
  REFERENCE_KINDS,
  SIGNATURE_STATUSES,
  SORTS,
  type ReferenceKind,
  type SignatureSort,
  type SignatureStatus,
} from './kb.types';

/** Stable slug: what export/import key on. */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,199}$/;
const URL_OPTIONS = { require_protocol: true, protocols: ['http', 'https'], require_tld: false };

/** RE2 at write time: a pattern RE2 refuses (or too big) is a 400 naming the field and the reason. */
@ValidatorConstraint({ name: 're2Pattern' })
class Re2PatternConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && checkPattern(value) === null;
  }
  defaultMessage(args: ValidationArguments): string {
    if (typeof args.value !== 'string') return `${args.property} must be a string`;
    return checkPattern(args.value) ?? 'invalid pattern';
  }
}

/** Notes in a bundle: a markdown string, or {body, author?} as export writes them. */
@ValidatorConstraint({ name: 'bundleNotes' })
class BundleNotesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (!Array.isArray(value) || value.length > 500) return false;
    return value.every((n) => {
      if (typeof n === 'string') return n.trim().length > 0 && n.length <= 100_000;
      if (typeof n !== 'object' || n === null || Array.isArray(n)) return false;
      const o = n as Record<string, unknown>;
      const extra = Object.keys(o).filter((k) => !['body', 'author', 'createdAt'].includes(k));
      return (
        extra.length === 0 &&
        typeof o.body === 'string' &&
        o.body.trim().length > 0 &&
        o.body.length <= 100_000 &&
        (o.author === undefined || o.author === null || typeof o.author === 'string')
      );
    });
  }
  defaultMessage(): string {
    return 'notes must be an array (at most 500) of non-empty markdown strings or {"body": string, "author"?: string} objects';
  }
}

export class PatternDto {
  @ApiProperty({ example: 'mlx5_core .* dma_pool_alloc', description: 'RE2 syntax, over the raw dump' })
  @Validate(Re2PatternConstraint)
  pattern: string;

  @ApiPropertyOptional({ description: 'When true, a dump that does not contain it cannot match.' })
  @IsOptional()
  @IsBoolean()
  required?: boolean;
}

export class MatcherDto {
  @ApiPropertyOptional({ enum: CRASH_KINDS })
  @IsOptional()
  @IsIn(CRASH_KINDS, { message: `kind must be one of ${CRASH_KINDS.join(', ')}` })
  kind?: CrashKind | null;

  @ApiPropertyOptional({ example: 'BUG: unable to handle kernel NULL pointer dereference' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  headline?: string | null;

  @ApiProperty({ type: [String], example: ['dma_pool_alloc', 'mlx5_alloc_cmd_msg', 'cmd_exec'] })
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @Length(1, 300, { each: true, message: 'each frame must be a function name of 1 to 300 characters' })
  frames: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(63)
  guiltyFrame?: number | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'where the object was freed (use-after-free, double free), innermost first',
    example: ['nvmf_rdma_qpair_destroy', 'nvmf_rdma_destroy_drained_qpair'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @Length(1, 300, { each: true, message: 'each free frame must be a function name of 1 to 300 characters' })
  freeFrames?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  fingerprints?: string[];

  @ApiPropertyOptional({ example: 'mlx5_core' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  module?: string | null;

  @ApiPropertyOptional({ example: 'x86_64' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  arch?: string | null;

  @ApiPropertyOptional({ example: '5.10' })
  @IsOptional()
  @IsString()
  @Matches(/^\d+(\.\d+){0,3}([-+.~][A-Za-z0-9._+~-]*)?$/, {
    message: 'kernelMin must look like 5.10 or 6.1.30',
  })
  kernelMin?: string | null;

  @ApiPropertyOptional({ example: '6.1.30' })
  @IsOptional()
  @IsString()
  @Matches(/^\d+(\.\d+){0,3}([-+.~][A-Za-z0-9._+~-]*)?$/, {
    message: 'kernelMax must look like 5.10 or 6.1.30',
  })
  kernelMax?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['ext4_inode_cache'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  slabCaches?: string[];

  @ApiPropertyOptional({ type: [Number], example: [328] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(0, { each: true })
  objectSizes?: number[];

  @ApiPropertyOptional({ type: [String], example: ['LIST_POISON1'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  poisons?: string[];

  @ApiPropertyOptional({ type: [PatternDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PatternDto)
  patterns?: PatternDto[];
}

export class FixDto {
  @ApiProperty({ enum: FIX_KINDS })
  @IsIn(FIX_KINDS, { message: `kind must be one of ${FIX_KINDS.join(', ')}` })
  kind: FixKind;

  @ApiProperty({ example: '4cca96a8d9da', description: 'Commit id, CVE/advisory id or workaround name' })
  @IsString()
  @Length(1, 300)
  ref: string;

  @ApiPropertyOptional({ example: 'https://git.kernel.org/linus/4cca96a8d9da' })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  @ApiPropertyOptional({ example: 'v6.2' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  fixedIn?: string | null;
}

export class ReferenceDto {
  @ApiProperty({ enum: REFERENCE_KINDS })
  @IsIn(REFERENCE_KINDS, { message: `kind must be one of ${REFERENCE_KINDS.join(', ')}` })
  kind: ReferenceKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url?: string | null;

  @ApiPropertyOptional({ example: 'CVE-2024-53237' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  title?: string | null;
}

/** Fields shared by create and import. */
class SignatureFieldsDto {
  @ApiProperty({ example: 'BUG: unable to handle kernel NULL pointer dereference in dma_pool_alloc' })
  @IsString()
  @Length(1, 300)
  title: string;

  @ApiProperty({ enum: CRASH_KINDS })
  @IsIn(CRASH_KINDS, { message: `kind must be one of ${CRASH_KINDS.join(', ')}` })
  kind: CrashKind;

  @ApiPropertyOptional({ enum: SIGNATURE_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(SIGNATURE_STATUSES, { message: `status must be one of ${SIGNATURE_STATUSES.join(', ')}` })
  status?: SignatureStatus;

  @ApiPropertyOptional({ type: [String], example: ['mlx5', 'reboot'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true, message: 'each tag must be 1 to 64 characters' })
  tags?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  summary?: string;

  @ApiProperty({ type: MatcherDto })
  @IsObject()
  @ValidateNested()
  @Type(() => MatcherDto)
  matcher: MatcherDto;

  @ApiPropertyOptional({ type: [FixDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FixDto)
  fixes?: FixDto[];

  @ApiPropertyOptional({ type: [ReferenceDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReferenceDto)
  references?: ReferenceDto[];
}

export class CreateSignatureDto extends SignatureFieldsDto {
  @ApiPropertyOptional({ description: 'Stable slug; derived from the title and matcher when absent.' })
  @IsOptional()
  @Matches(KEY_PATTERN, { message: 'key must be a slug: lower-case letters, digits, ".", "_" or "-"' })
  key?: string;

  @ApiPropertyOptional({ description: 'Id of the signature this one duplicates (status "duplicate").' })
  @IsOptional()
  @IsUUID()
  duplicateOf?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Markdown notes' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100_000, { each: true, message: 'each note must be 1 to 100000 characters of markdown' })
  notes?: string[];
}

/** PATCH: any field of a signature; `fixes` and `references`, when sent, replace all of them. */
export class UpdateSignatureDto extends PartialType(OmitType(CreateSignatureDto, ['key', 'notes'] as const)) {
  @ApiPropertyOptional({ description: 'The version read; or send it as If-Match. A stale one answers 409.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class CreateNoteDto {
  @ApiProperty({ description: 'Markdown' })
  @IsString()
  @Length(1, 100_000)
  body: string;
}

/** The fields that may come with a dump to /from-dump; the matcher is derived from the dump. */
export class FromDumpFieldsDto extends PartialType(
  PickType(CreateSignatureDto, [
    'title',
    'key',
    'status',
    'summary',
    'fixes',
    'notes',
    'tags',
    'references',
  ] as const),
) {}

export class BundleSignatureDto extends SignatureFieldsDto {
  @ApiProperty({ example: 'linux-mlx5-dma-pool-uaf-on-reboot' })
  @Matches(KEY_PATTERN, { message: 'key must be a slug: lower-case letters, digits, ".", "_" or "-"' })
  key: string;

  @ApiPropertyOptional({ description: 'Key of the signature this one duplicates' })
  @IsOptional()
  @Matches(KEY_PATTERN, { message: 'duplicateOf must be the key of another signature' })
  duplicateOf?: string | null;

  @ApiPropertyOptional({ description: 'Markdown strings or {body, author} objects' })
  @IsOptional()
  @Validate(BundleNotesConstraint)
  notes?: (string | { body: string; author?: string | null; createdAt?: string })[];

  /** Where the facts were checked (seed files carry it); kept out of the database. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  sources?: string[];
}

export class ImportBundleDto {
  @ApiProperty({ example: 1 })
  @IsIn([1], { message: 'version must be 1 (the only bundle version this service reads)' })
  version: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  exportedAt?: string;

  @ApiProperty({ type: [BundleSignatureDto] })
  @IsArray()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => BundleSignatureDto)
  signatures: BundleSignatureDto[];
}

const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class ImportQueryDto {
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

export class ListSignaturesQueryDto {
  @ApiPropertyOptional({ description: 'Full-text and fuzzy identifier search' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;

  @ApiPropertyOptional({ default: 50, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1)
  @Max(100_000)
  page?: number;

  @ApiPropertyOptional({ enum: CRASH_KINDS })
  @IsOptional()
  @IsIn(CRASH_KINDS, { message: `kind must be one of ${CRASH_KINDS.join(', ')}` })
  kind?: CrashKind;

  @ApiPropertyOptional({ enum: SIGNATURE_STATUSES })
  @IsOptional()
  @IsIn(SIGNATURE_STATUSES, { message: `status must be one of ${SIGNATURE_STATUSES.join(', ')}` })
  status?: SignatureStatus;

  @ApiPropertyOptional({ description: 'A frame of the matcher, exact name' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  function?: string;

  @ApiPropertyOptional({ example: 'mlx5_core' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  module?: string;

  @ApiPropertyOptional({ example: 'LIST_POISON1' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  poison?: string;

  @ApiPropertyOptional({ example: 'ext4_inode_cache' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  slabCache?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tag?: string;

  @ApiPropertyOptional({ description: 'true: status fixed or a commit/patch fix is known; false: neither' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'fixed must be true or false' })
  fixed?: boolean;

  @ApiPropertyOptional({ enum: SORTS, description: 'relevance (default with q) or newest (default without)' })
  @IsOptional()
  @IsIn(SORTS, { message: `sort must be one of ${SORTS.join(', ')}` })
  sort?: SignatureSort;
}
