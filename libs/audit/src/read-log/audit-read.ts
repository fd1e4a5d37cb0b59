import type { AuditViewRead } from './audit-read.events';

export interface AuditReadInput {
  readId: string;
  userId: string;
  role: string;
  view: string;
  route: string;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  readAt: string;
}

const MAX_VALUE = 500;

/** Query values as the reader sent them, as strings (arrays joined), each cut to 500 characters. */
function flatten(values: Record<string, unknown>): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const key of Object.keys(values).sort()) {
    const value = values[key];
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value)
      ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(',')
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
    out[key.slice(0, 100)] = text.slice(0, MAX_VALUE);
  }
  return out;
}

/** The event a sensitive read is recorded as (pure: ids and time come in). */
export function auditViewRead(input: AuditReadInput): AuditViewRead {
  return {
    type: 'AuditViewRead',
    data: {
      readId: input.readId,
      userId: input.userId,
      role: input.role,
      view: input.view,
      route: input.route,
      params: flatten(input.params),
      query: flatten(input.query),
      readAt: input.readAt,
    },
  };
}
