// The body of POST /api/v1/indicators/explain checked by hand: it is a ParsedDump's
// `indicators` as the page got it from the API, but anyone can send anything, so every
// field is bounded and a wrong one is a 400 naming it, never a 500.
import { BadRequestException } from '@nestjs/common';
import type { FaultAddressClass, Indicators } from '../core/types';

const CLASSES: FaultAddressClass[] = [
  'null',
  'null-offset',
  'non-canonical',
  'user',
  'kernel',
  'poison',
  'unknown',
];
const MAX_ITEMS = 256;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown, field: string, max = 512): string {
  if (typeof v !== 'string' || v.length > max)
    throw new BadRequestException(`${field}: expected a string of at most ${max} characters`);
  return v;
}

function list<T>(v: unknown, field: string, item: (x: unknown, f: string) => T): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_ITEMS)
    throw new BadRequestException(`${field}: expected an array of at most ${MAX_ITEMS} items`);
  return v.map((x, i) => item(x, `${field}[${i}]`));
}

export function readIndicators(body: unknown): { indicators: Partial<Indicators>; format: string | null } {
  if (!isObj(body) || !isObj(body.indicators)) {
    throw new BadRequestException('indicators: expected an object (the `indicators` of a ParsedDump)');
  }
  const ind = body.indicators;
  const format = body.format === undefined || body.format === null ? null : str(body.format, 'format', 32);
  const poisonValues = list(ind.poisonValues, 'indicators.poisonValues', (x, f) => {
    if (!isObj(x)) throw new BadRequestException(`${f}: expected an object`);
    const offset = x.offset ?? 0;
    if (typeof offset !== 'number' || !Number.isFinite(offset))
      throw new BadRequestException(`${f}.offset: expected a number`);
    return {
      value: str(x.value, `${f}.value`, 64),
      name: str(x.name, `${f}.name`, 64),
      base: str(x.base ?? x.value, `${f}.base`, 64),
      offset,
      meaning: str(x.meaning ?? '', `${f}.meaning`),
      where: str(x.where ?? '', `${f}.where`),
    };
  });
  const shadowCodes = list(ind.shadowCodes, 'indicators.shadowCodes', (x, f) => {
    if (!isObj(x)) throw new BadRequestException(`${f}: expected an object`);
    const code = str(x.code, `${f}.code`, 2);
    if (!/^[0-9a-fA-F]{2}$/.test(code)) throw new BadRequestException(`${f}.code: expected two hex digits`);
    return { code, meaning: str(x.meaning ?? '', `${f}.meaning`) };
  });
  const slabCaches = list(ind.slabCaches, 'indicators.slabCaches', (x, f) => str(x, f, 128));
  const objectSizes = list(ind.objectSizes, 'indicators.objectSizes', (x, f) => {
    if (!Number.isSafeInteger(x) || (x as number) < 0)
      throw new BadRequestException(`${f}: expected a whole number`);
    return x as number;
  });
  let faultAddress: Indicators['faultAddress'] = null;
  if (ind.faultAddress !== undefined && ind.faultAddress !== null) {
    const fa = ind.faultAddress;
    if (!isObj(fa)) throw new BadRequestException('indicators.faultAddress: expected an object or null');
    const cls = fa.class;
    if (typeof cls !== 'string' || !(CLASSES as string[]).includes(cls)) {
      throw new BadRequestException(`indicators.faultAddress.class: expected one of ${CLASSES.join(', ')}`);
    }
    faultAddress = {
      value: str(fa.value, 'indicators.faultAddress.value', 64),
      class: cls as FaultAddressClass,
      detail: fa.detail == null ? null : str(fa.detail, 'indicators.faultAddress.detail'),
      decoded: fa.decoded == null ? null : str(fa.decoded, 'indicators.faultAddress.decoded', 64),
    };
  }
  return { indicators: { poisonValues, shadowCodes, slabCaches, objectSizes, faultAddress }, format };
}
