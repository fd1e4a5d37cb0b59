import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { DukaoRequest } from '../security/access';

const SAFE = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Every request gets a correlation id (the caller's, if well-formed), echoed back and recorded on its events. */
export function correlationId(request: DukaoRequest, response: Response, next: NextFunction): void {
  const given = request.header('x-correlation-id');
  request.correlationId = given && SAFE.test(given) ? given : randomUUID();
  response.setHeader('x-correlation-id', request.correlationId);
  next();
}
