import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationFailed, flattenValidationErrors } from './validation';

/** Validates fields that did not come through a @Body() DTO (e.g. the rest of a dump body). */
export function validateFields<T extends object>(
  cls: ClassConstructor<T>,
  fields: Record<string, unknown>,
): T {
  const instance = plainToInstance(cls, fields);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new ValidationFailed(flattenValidationErrors(errors));
  return instance;
}
