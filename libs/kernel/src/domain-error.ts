/**
 * What kind of refusal a domain error is. The api maps each kind to an HTTP status once
 * (unauthenticated 401, forbidden 403, not-found 404, conflict 409, invalid 422, locked 423),
 * so deciders never know HTTP.
 */
export type DomainErrorKind =
  'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'locked';

export const DOMAIN_ERROR_STATUS: Record<DomainErrorKind, number> = {
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  invalid: 422,
  locked: 423,
};

/**
 * An expected business refusal: a stable machine `code` (UPPER_SNAKE), a message in Chinese for the
 * person who made the request, and optional details. Contexts declare theirs in `*.errors.ts`.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
