import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationFailed, flattenValidationErrors } from './validation';

/**
 * class-validator on input that did not come through a @Body() DTO (the fields beside a
 * dump, seed files): the same 400 naming each field as the global pipe gives.
 */
export function validateFields<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  opts: { forbidUnknown?: boolean } = {},
): T {
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: opts.forbidUnknown ?? true,
  });
  if (errors.length) throw new ValidationFailed(flattenValidationErrors(errors));
  return instance;
}
