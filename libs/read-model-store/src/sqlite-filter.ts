import { InvalidQueryError, type Filter, type SortSpec } from './read-model-store.port';

/**
 * Translates a MongoDB-syntax filter to SQL over JSON documents (`doc` column, `id` for `_id`).
 *
 * Scalar comparisons become `json_extract(doc, '$.path')` expressions, written exactly like the
 * expression indexes so SQLite can use them. Anything it does not translate (array membership,
 * `$elemMatch`, `$regex`, …) makes `exact` false: the SQL then only narrows the rows, and the caller
 * re-checks the whole filter in JavaScript (mingo) so both adapters answer alike.
 *
 * Plain equality is scalar equality here: to match a member of an array field, use `$elemMatch`
 * or `$all` (MongoDB would also match `{ tags: 'x' }`; our queries never rely on that).
 */
export interface SqlFilter {
  where: string;
  params: Array<string | number>;
  exact: boolean;
}

const PATH = /^[A-Za-z_$][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
type Scalar = string | number | boolean | null;

export function fieldExpression(path: string): string {
  if (path === '_id') return 'id';
  if (!PATH.test(path) || path.startsWith('$')) throw new InvalidQueryError(`invalid field path "${path}"`);
  return `json_extract(doc, '$.${path}')`;
}

function typeExpression(path: string): string {
  return path === '_id' ? `'text'` : `json_type(doc, '$.${path}')`;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function sqlValue(value: Exclude<Scalar, null>): string | number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((key) => key.startsWith('$'))
  );
}

type Fragment = SqlFilter;
const INEXACT: Fragment = { where: '1', params: [], exact: false };
const sql = (where: string, ...params: SqlFilter['params']): Fragment => ({ where, params, exact: true });

function comparison(path: string, op: string, value: unknown): Fragment {
  const field = fieldExpression(path);
  switch (op) {
    case '$eq':
      if (value === null) return sql(`${field} IS NULL`);
      return isScalar(value) ? sql(`${field} = ?`, sqlValue(value)) : INEXACT;
    case '$ne':
      if (value === null) return sql(`${field} IS NOT NULL`);
      return isScalar(value) ? sql(`(${field} IS NULL OR ${field} != ?)`, sqlValue(value)) : INEXACT;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (typeof value !== 'number' && typeof value !== 'string') return INEXACT;
      const sqlOp = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[op];
      // MongoDB compares only within a type bracket; SQLite would compare text with numbers.
      const types = typeof value === 'number' ? `('integer', 'real')` : `('text')`;
      return sql(`(${field} ${sqlOp} ? AND ${typeExpression(path)} IN ${types})`, value);
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(value) || !value.every(isScalar)) return INEXACT;
      const nonNull = value.filter((v): v is Exclude<Scalar, null> => v !== null);
      const hasNull = nonNull.length !== value.length;
      const list = nonNull.length ? `${field} IN (${nonNull.map(() => '?').join(', ')})` : '0';
      const params = nonNull.map(sqlValue);
      if (op === '$in') return sql(hasNull ? `(${list} OR ${field} IS NULL)` : list, ...params);
      // $nin matches documents without the field unless null is listed.
      return sql(
        hasNull ? `(${field} IS NOT NULL AND NOT ${list})` : `(${field} IS NULL OR NOT ${list})`,
        ...params,
      );
    }
    case '$exists':
      return sql(`${typeExpression(path)} IS ${value ? 'NOT NULL' : 'NULL'}`);
    default:
      return INEXACT;
  }
}

function join(parts: Fragment[], operator: 'AND' | 'OR'): Fragment {
  if (parts.length === 0) return sql('1');
  return {
    where: parts.map((part) => `(${part.where})`).join(` ${operator} `),
    params: parts.flatMap((part) => part.params),
    exact: parts.every((part) => part.exact),
  };
}

export function translateFilter(filter: Filter | undefined): SqlFilter {
  const parts: Fragment[] = [];
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0)
        throw new InvalidQueryError(`${key} needs a non-empty array`);
      const inner = join(
        value.map((sub) => translateFilter(sub as Filter)),
        key === '$or' ? 'OR' : 'AND',
      );
      // An inexact branch of an OR cannot narrow anything: leave the whole OR to mingo.
      parts.push(key === '$or' && !inner.exact ? INEXACT : inner);
    } else if (key.startsWith('$')) {
      parts.push(INEXACT);
    } else if (isOperatorObject(value)) {
      for (const [op, operand] of Object.entries(value)) parts.push(comparison(key, op, operand));
    } else {
      parts.push(comparison(key, '$eq', value));
    }
  }
  return join(parts, 'AND');
}

export function orderBy(sort: SortSpec | undefined): string {
  const keys = Object.entries(sort ?? {});
  const terms = keys.map(([path, dir]) => `${fieldExpression(path)} ${dir === -1 ? 'DESC' : 'ASC'}`);
  // `_id` last, so that pages are stable when sort keys tie.
  if (!keys.some(([path]) => path === '_id')) terms.push('id ASC');
  return terms.join(', ');
}
