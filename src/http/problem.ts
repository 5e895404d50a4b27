// Every error leaves the service as RFC 7807 application/problem+json with one stable
// shape: { type, title, status, detail, instance, requestId, errors? }.
import { STATUS_CODES } from 'node:http';

export interface FieldError {
  field: string;
  messages: string[];
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

const PROBLEM_BASE = 'https://crashkb.dev/problems/';

export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  const title = STATUS_CODES[status] ?? 'Error';
  return {
    type: PROBLEM_BASE + title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    title,
    status,
    detail,
    ...extra,
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
