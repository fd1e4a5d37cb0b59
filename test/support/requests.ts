import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type request from 'supertest';
import type { Test } from 'supertest';

type Http = ReturnType<typeof request>;

/** A route as Express knows it: `METHOD /path/:param`. */
export type RouteKey = `${string} /${string}`;

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
}

/**
 * Every route registered on the Express 5 router at runtime (Nest controllers and whatever else
 * registered itself on the adapter, e.g. Swagger's `/docs` and `/openapi.json`), as sorted
 * `METHOD path` keys. Middleware layers without a route are left out.
 */
export function registeredRoutes(app: INestApplication): RouteKey[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack?: RouterLayer[] } };
  const stack = express.router?.stack;
  if (!Array.isArray(stack)) throw new Error('cannot read the Express router stack (is this Express 5?)');
  const keys = new Set<RouteKey>();
  for (const layer of stack) {
    if (!layer.route) continue;
    const { path, methods } = layer.route;
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new Error(`route with a non-string path: ${String(path)}`);
    for (const [method, on] of Object.entries(methods)) {
      if (on) keys.add(`${method.toUpperCase()} ${path}` as RouteKey);
    }
  }
  return [...keys].sort();
}

export function splitRoute(key: RouteKey): { method: string; path: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space), path: key.slice(space + 1) };
}

/** Syntactically valid values for the path parameters the API uses; ids come from `uuid`. */
const VALID_PARAMS: Record<string, (uuid: () => string) => string> = {
  userId: (uuid) => uuid(),
  grantId: (uuid) => uuid(),
  membershipId: (uuid) => uuid(),
  unitId: () => 'town-a',
  name: () => 'streamCatalog',
  targetId: (uuid) => uuid(),
  reportId: (uuid) => uuid(),
  cycleId: () => '2026',
  year: () => '2026',
  gateway: () => 'http',
  fileId: () => 'a'.repeat(64),
  campaignId: () => 'pingyi-2026',
  category: () => 'towns',
  noticeId: (uuid) => uuid(),
  spotCheckId: (uuid) => uuid(),
  extensionId: (uuid) => uuid(),
  actionId: (uuid) => uuid(),
  publicationId: (uuid) => uuid(),
  appealId: (uuid) => uuid(),
  month: () => '2026-06',
  eventId: (uuid) => uuid(),
  digestId: (uuid) => uuid(),
};

/**
 * A syntactically valid value for a path parameter. A parameter nobody knows fails loudly, so a new
 * kind of parameter gets a rule here.
 */
export function validParam(param: string, uuid: () => string = randomUUID): string {
  const make = VALID_PARAMS[param];
  if (!make)
    throw new Error(`no test value for path parameter :${param}; add one to test/support/requests.ts`);
  return make(uuid);
}

/** Fills the `:param`s of an Express path; by default with valid values. */
export function fillPath(
  path: string,
  value: (param: string) => string = (param) => validParam(param),
): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, param: string) => value(param));
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Starts a supertest request with the method given as data. */
export function open(http: Http, method: string, url: string): Test {
  switch (method.toUpperCase()) {
    case 'GET':
      return http.get(url);
    case 'POST':
      return http.post(url);
    case 'PUT':
      return http.put(url);
    case 'PATCH':
      return http.patch(url);
    case 'DELETE':
      return http.delete(url);
    case 'HEAD':
      return http.head(url);
    case 'OPTIONS':
      return http.options(url);
    default:
      throw new Error(`unsupported method ${method}`);
  }
}

/** The error body every refusal must have: `{ code, message }` with a non-empty code and message. */
export function errorShapeProblem(
  status: number,
  contentType: string | undefined,
  body: unknown,
): string | null {
  if (status < 400) return null;
  if (!contentType?.includes('application/json')) return `content-type ${contentType ?? '(none)'}`;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return `body is not an object: ${JSON.stringify(body)}`;
  const { code, message } = body as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) return `code ${JSON.stringify(code)}`;
  if (typeof message !== 'string' || message.length === 0) return `message ${JSON.stringify(message)}`;
  return null;
}

/** True when the text contains CJK characters: every refusal speaks Chinese to the person. */
export const isChinese = (text: unknown): boolean => typeof text === 'string' && /[\u4e00-\u9fff]/.test(text);
