import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describeReadModelStoreContract } from './read-model-store.contract';
import { SqliteReadModelStore, toDocument } from './sqlite.read-model-store';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let file: string;
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-rm-'));
  dirs.push(dir);
  file = join(dir, 'read-models.sqlite');
});

describeReadModelStoreContract('sqlite', async () => new SqliteReadModelStore({ filename: file }));

describe('toDocument (a stored row as a document)', () => {
  /** What it replaced: the parsed fields copied after `_id`. */
  const copied = (row: { id: string; doc: string }) => ({ _id: row.id, ...(JSON.parse(row.doc) as object) });
  const sameDocument = (row: { id: string; doc: string }) => {
    const document = toDocument(row);
    expect(document).toStrictEqual(copied(row));
    expect(Object.keys(document)).toEqual(Object.keys(copied(row)));
  };

  it('puts _id first, before the stored fields, for any id and any stored object', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()),
        (id, fields) => sameDocument({ id, doc: JSON.stringify(fields) }),
      ),
      { numRuns: 500 },
    );
  });

  it('reads ids that need escaping, an empty document, and fields named _id or __proto__ as before', () => {
    for (const id of ['', 'a"b', 'back\\slash', '换行\n', '\ud800', '\udc00x', '😀']) {
      sameDocument({ id, doc: '{}' });
      sameDocument({ id, doc: '{"level":"red","n":[1,{"x":null}]}' });
    }
    sameDocument({ id: 't1', doc: '{"_id":"other","a":1}' });
    const proto = toDocument<{ _id: string; ['__proto__']: unknown }>({
      id: 't1',
      doc: '{"__proto__":{"x":1}}',
    });
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(proto)).toEqual(['_id', '__proto__']);
    sameDocument({ id: 't1', doc: '{"__proto__":{"x":1}}' });
  });
});
