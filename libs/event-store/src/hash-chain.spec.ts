import fc from 'fast-check';
import { canonicalJson } from './hash-chain';

/** The first implementation, kept as the reference the faster one must match byte for byte. */
function reference(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      const entries = Object.keys(value)
        .sort()
        .map((key) => {
          const item = (value as Record<string, unknown>)[key];
          if (item === undefined) throw new TypeError(`canonicalJson: undefined value at key "${key}"`);
          return `${JSON.stringify(key)}:${reference(item)}`;
        });
      return `{${entries.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

describe('canonicalJson', () => {
  it('writes exactly what the reference implementation writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts keys by UTF-16 code units, at every depth, without whitespace', () => {
    expect(canonicalJson({ b: [{ z: 1, a: '中' }], a: null, B: true, é: -0, '': 1.5e-7 })).toBe(
      '{"":1.5e-7,"B":true,"a":null,"b":[{"a":"中","z":1}],"é":0}',
    );
  });

  it('refuses undefined values and non-finite numbers rather than dropping them', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined value at key "a"/);
    expect(() => canonicalJson([Number.NaN])).toThrow(/non-finite/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot encode a function/);
  });
});
