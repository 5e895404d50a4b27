import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { SCOPES, type Scope } from './api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci-bot' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\s].*$/, { message: 'name must not start with whitespace' })
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['read', 'submit'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each scope must be one of ${SCOPES.join(', ')}` })
  scopes: Scope[];
}

export class ApiKeyCreatedDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The secret key. Shown once, never again.' }) key: string;
  @ApiProperty() prefix: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty() createdAt: Date;
}
