import 'reflect-metadata';
import fc from 'fast-check';
import { validationPipe } from '../common/validation';
import { PublicRatingBody } from './campaigns.dto';
import { PublicRatingBodyPipe } from './public-rating-body.pipe';

/** The written-out checks of the public rating body against the DTO the global pipe checks. */
const pipe = new PublicRatingBodyPipe();
const TOKEN = 'q2Vb7mXr0Lw4Zt9Ks1Jd8Hf3Gc6Pn5Ea';
const valid = { campaignId: 'pingyi-2026', unitId: 'town-a', token: TOKEN, scores: { 能力素质: 80 } };

async function viaDto(body: unknown): Promise<Record<string, unknown> | { refused: string }> {
  try {
    const checked = (await validationPipe.transform(body, {
      type: 'body',
      metatype: PublicRatingBody,
    })) as object;
    return { ...checked };
  } catch (error) {
    return { refused: (error as { code: string }).code };
  }
}

function viaPipe(body: unknown): Record<string, unknown> | { refused: string } {
  try {
    return { ...pipe.transform(body) };
  } catch (error) {
    return { refused: (error as { code: string }).code };
  }
}

/** Null and absent optional fields are alike for the route (`toAnswer`); drop them before comparing. */
const present = (checked: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(checked).filter(([, v]) => v !== undefined && v !== null));

describe('PublicRatingBodyPipe', () => {
  it('accepts a complete body as it is', () => {
    expect(pipe.transform(valid)).toEqual(valid);
    expect(pipe.transform({ ...valid, scores: undefined, level: '满意' })).toEqual({
      campaignId: 'pingyi-2026',
      unitId: 'town-a',
      token: TOKEN,
      level: '满意',
    });
  });

  it.each([
    ['an unknown field', { ...valid, ip: '10.0.0.1' }, 'ip'],
    ['a malformed token', { ...valid, token: 'short' }, 'token'],
    ['a token that is not a string', { ...valid, token: 1234567890123456 }, 'token'],
    ['a malformed campaign id', { ...valid, campaignId: '../x' }, 'campaignId'],
    ['a missing unit', { ...valid, unitId: undefined }, 'unitId'],
    ['scores as an array', { ...valid, scores: [80] }, 'scores'],
    ['an unknown level', { ...valid, level: 'great' }, 'level'],
  ])('refuses %s with 400 VALIDATION_FAILED naming the field', (_, body, field) => {
    let caught: unknown;
    try {
      pipe.transform(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((caught as { details: Array<{ field: string }> }).details.map((d) => d.field)).toContain(field);
  });

  it('refuses what is not an object', () => {
    for (const body of [null, 'x', 42, [valid]])
      expect(viaPipe(body)).toEqual({ refused: 'VALIDATION_FAILED' });
  });

  it('agrees with the DTO and the global ValidationPipe on every body', async () => {
    const anything = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
    );
    const field = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, good, anything);
    const body = fc.record(
      {
        campaignId: field(fc.constantFrom('pingyi-2026', 'a', '-bad', 'x'.repeat(65))),
        unitId: field(fc.constantFrom('town-a', 'bureau_1.b', '', 'a b')),
        token: field(fc.constantFrom(TOKEN, 'A'.repeat(16), 'A'.repeat(65), 'bad token!')),
        scores: field(fc.dictionary(fc.constantFrom('能力素质', '依法行政', 'x'), fc.integer())),
        level: field(fc.constantFrom('满意', '基本满意', '不满意', '一般')),
        extra: anything,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const [dto, written] = [await viaDto(b), viaPipe(b)];
        if ('refused' in dto || 'refused' in written) expect(written).toEqual(dto);
        else expect(present(written)).toEqual(present(dto));
      }),
      { numRuns: 500 },
    );
  });
});
