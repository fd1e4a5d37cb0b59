import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors/api-error';

/** No request body of ours nests deeper than this; deeper ones would only exhaust the validators' stack. */
export const MAX_JSON_DEPTH = 32;

function depthExceeds(value: unknown, limit: number): boolean {
  // Iterative, so that the check itself cannot overflow the stack.
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export function jsonDepthLimit(request: Request, _response: Response, next: NextFunction): void {
  if (depthExceeds(request.body, MAX_JSON_DEPTH)) {
    next(new ApiError(400, 'BODY_TOO_DEEP', `请求体嵌套层级过深（最多 ${MAX_JSON_DEPTH} 层）`));
    return;
  }
  next();
}
