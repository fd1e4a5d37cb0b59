/** The error body every route returns: a stable machine code, a Chinese message for people, optional details. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
  correlationId?: string;
}

/**
 * A refusal the API states on purpose. Domain libraries declare their own typed errors; the
 * exception filter maps them here, once, so no decider ever knows about HTTP.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
