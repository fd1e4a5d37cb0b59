import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, sign } from 'jsonwebtoken';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { isChinese } from './support/requests';

/**
 * Every way an access or refresh token can be wrong answers 401 with a stable code and a Chinese
 * message, never 500; refresh tokens rotate, and a reused one ends the session.
 */
const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hs = (data: string, secret: string, algorithm = 'sha256') =>
  createHmac(algorithm, secret).update(data).digest('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A compact JWT made by hand, so that headers and signatures can be anything. */
function jwt(header: object, payload: object, secret: string | null, signature?: string): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${signature ?? (secret === null ? '' : hs(head, secret))}`;
}

/** Replaces one character in the middle of a base64url segment (not the last one, whose low bits may be padding). */
function flipMiddle(segment: string): string {
  const i = Math.floor(segment.length / 2);
  return `${segment.slice(0, i)}${segment[i] === 'A' ? 'B' : 'A'}${segment.slice(i + 1)}`;
}

describe('tokens', () => {
  let dukao: EmbeddedApp;
  let secret: string;
  let admins: { system: Session; security: Session };
  let alice: Session;

  const me = (authorization?: string) => {
    const req = dukao.http().get('/auth/me');
    return authorization === undefined ? req : req.set('authorization', authorization);
  };
  const refresh = (refreshToken: unknown) => dukao.http().post('/auth/refresh').send({ refreshToken });

  /** 401, the given code, a Chinese message, the error shape, and nothing of the token echoed back. */
  async function expect401(authorization: string | undefined, code: string) {
    const res = await me(authorization);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code });
    expect(isChinese(res.body.message)).toBe(true);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const secretPart = authorization?.slice(7, 40) ?? '';
    if (secretPart.length >= 8) expect(JSON.stringify(res.body)).not.toContain(secretPart);
    return res;
  }

  /** The claims a good access token of `session` carries, for forging variants of it. */
  const claimsOf = (session: Session) =>
    decode(session.accessToken, { json: true })! as { sub: string; sid: string; typ: string };
  const goodClaims = () => {
    const { sub, sid } = claimsOf(alice);
    return { sub, sid, typ: 'access', iat: now(), exp: now() + 600, iss: 'dukao', aud: 'dukao-api' };
  };

  beforeAll(async () => {
    dukao = await EmbeddedApp.start();
    secret = readFileSync(join(dukao.dir, 'jwt-secret'), 'utf8').trim();
    const system = await dukao.administrator('systemAdmin');
    const security = await dukao.administrator('securityAdmin');
    admins = { system, security };
    alice = await dukao.user(admins, 't-alice', [{ role: 'inspector' }]);
  }, 60_000);

  afterAll(async () => {
    await dukao?.stop();
  });

  it('accepts the real token (the baseline every forgery below departs from)', async () => {
    await me(`Bearer ${alice.accessToken}`).expect(200);
    await me(`Bearer ${jwt({ alg: 'HS256', typ: 'JWT' }, goodClaims(), secret)}`).expect(200);
  });

  describe('access tokens', () => {
    it('refuses a request without an Authorization header', async () => {
      await expect401(undefined, 'UNAUTHENTICATED');
    });

    it.each([
      ['a garbage bearer value', 'Bearer garbage'],
      ['an empty bearer value', 'Bearer '],
      ['the bare word Bearer', 'Bearer'],
      ['a two-part token', 'Bearer aaaa.bbbb'],
      ['a four-part token', 'Bearer aa.bb.cc.dd'],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
      ['a lower-case scheme', 'bearer x.y.z'],
      ['characters outside base64url', 'Bearer a+b.c/d.e=f'],
    ])('refuses %s', async (_label, header) => {
      await expect401(header, 'UNAUTHENTICATED');
    });

    it('refuses the real token without its scheme or with extra text around it', async () => {
      await expect401(alice.accessToken, 'UNAUTHENTICATED');
      await expect401(`Bearer ${alice.accessToken} extra`, 'UNAUTHENTICATED');
      await expect401(`Bearer  ${alice.accessToken}`, 'UNAUTHENTICATED');
    });

    it('refuses three base64url parts that are not a JWT', async () => {
      await expect401('Bearer aaaa.bbbb.cccc', 'INVALID_TOKEN');
      await expect401(`Bearer ${b64('not json')}.${b64('{')}.${b64('sig')}`, 'INVALID_TOKEN');
    });

    it('refuses a token whose signature was tampered with', async () => {
      const [header, payload, signature] = alice.accessToken.split('.') as [string, string, string];
      const tampered = `${header}.${payload}.${flipMiddle(signature)}`;
      expect(tampered).not.toBe(alice.accessToken);
      await expect401(`Bearer ${tampered}`, 'INVALID_TOKEN');
      await expect401(`Bearer ${header}.${payload}.${signature.slice(0, -4)}`, 'INVALID_TOKEN');
    });

    it('refuses a token whose payload was changed (another sub, the old signature)', async () => {
      const [header, payload, signature] = alice.accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = `${header}.${b64({ ...claims, sub: admins.system.userId })}.${signature}`;
      await expect401(`Bearer ${forged}`, 'INVALID_TOKEN');
    });

    it('refuses alg "none", with or without a signature part', async () => {
      // Without a signature the token does not even have the shape of one.
      await expect401(`Bearer ${jwt({ alg: 'none', typ: 'JWT' }, goodClaims(), null)}`, 'UNAUTHENTICATED');
      await expect401(
        `Bearer ${jwt({ alg: 'none', typ: 'JWT' }, goodClaims(), null, 'AAAA')}`,
        'INVALID_TOKEN',
      );
      await expect401(`Bearer ${jwt({ alg: 'NONE' }, goodClaims(), secret)}`, 'INVALID_TOKEN');
    });

    it('refuses another algorithm even with the right secret (HS512, HS384)', async () => {
      await expect401(`Bearer ${sign(goodClaims(), secret, { algorithm: 'HS512' })}`, 'INVALID_TOKEN');
      await expect401(`Bearer ${jwt({ alg: 'HS384', typ: 'JWT' }, goodClaims(), secret)}`, 'INVALID_TOKEN');
      // An HS256 signature under a header that claims HS512.
      await expect401(`Bearer ${jwt({ alg: 'HS512', typ: 'JWT' }, goodClaims(), secret)}`, 'INVALID_TOKEN');
    });

    it('refuses an HS256 token signed with another secret', async () => {
      await expect401(
        `Bearer ${sign(goodClaims(), 'another-secret-that-is-long-enough-000000', { algorithm: 'HS256' })}`,
        'INVALID_TOKEN',
      );
    });

    it('refuses the right secret with the wrong issuer or audience, or none', async () => {
      const base = goodClaims();
      for (const claims of [
        { ...base, iss: 'someone-else' },
        { ...base, aud: 'another-api' },
        { ...base, aud: ['x', 'y'] },
      ]) {
        await expect401(`Bearer ${sign(claims, secret, { algorithm: 'HS256' })}`, 'INVALID_TOKEN');
      }
      const { iss: _iss, aud: _aud, ...bare } = base;
      await expect401(`Bearer ${sign(bare, secret, { algorithm: 'HS256' })}`, 'INVALID_TOKEN');
    });

    it('refuses well-signed tokens whose claims are not an access token', async () => {
      const base = goodClaims();
      for (const claims of [
        { ...base, typ: 'refresh' },
        { ...base, typ: undefined },
        { ...base, sub: 42 },
        { ...base, sid: null },
      ]) {
        await expect401(`Bearer ${sign(claims, secret, { algorithm: 'HS256' })}`, 'INVALID_TOKEN');
      }
    });

    it('refuses an expired token with TOKEN_EXPIRED', async () => {
      const expired = sign({ ...goodClaims(), iat: now() - 3600, exp: now() - 60 }, secret, {
        algorithm: 'HS256',
      });
      const res = await expect401(`Bearer ${expired}`, 'TOKEN_EXPIRED');
      expect(res.body.message).toMatch(/过期/);
    });

    it('refuses a token that is not valid yet (nbf in the future)', async () => {
      await expect401(
        `Bearer ${sign({ ...goodClaims(), nbf: now() + 3600 }, secret, { algorithm: 'HS256' })}`,
        'INVALID_TOKEN',
      );
    });

    it('refuses a well-signed token naming a session or user that does not exist', async () => {
      const base = goodClaims();
      await expect401(
        `Bearer ${sign({ ...base, sid: randomUUID() }, secret, { algorithm: 'HS256' })}`,
        'SESSION_REVOKED',
      );
      await expect401(
        `Bearer ${sign({ ...base, sub: randomUUID() }, secret, { algorithm: 'HS256' })}`,
        'SESSION_REVOKED',
      );
      // Another user's id with alice's session: the session belongs to someone else.
      await expect401(
        `Bearer ${sign({ ...base, sub: admins.system.userId }, secret, { algorithm: 'HS256' })}`,
        'SESSION_REVOKED',
      );
    });

    it('refuses a well-signed token whose ids are not ids at all (long, unicode, path-like), without a 500', async () => {
      const base = goodClaims();
      for (const odd of [
        '',
        '../../etc/passwd',
        '城市🙂',
        'x'.repeat(5000),
        "'; DROP TABLE events; --",
        '%00',
      ]) {
        await expect401(
          `Bearer ${sign({ ...base, sub: odd }, secret, { algorithm: 'HS256' })}`,
          'SESSION_REVOKED',
        );
        await expect401(
          `Bearer ${sign({ ...base, sid: odd }, secret, { algorithm: 'HS256' })}`,
          'SESSION_REVOKED',
        );
      }
    });

    it('refuses the token of a logged-out session with SESSION_REVOKED', async () => {
      const session = await dukao.login('t-alice');
      await me(`Bearer ${session.accessToken}`).expect(200);
      await dukao.http().post('/auth/logout').set(bearer(session)).expect(204);
      const res = await expect401(`Bearer ${session.accessToken}`, 'SESSION_REVOKED');
      expect(res.body.message).toMatch(/会话/);
      // Its refresh token is dead too, and other sessions of the same user live on.
      const again = await refresh(session.refreshToken).expect(401);
      expect(again.body.code).toBe('INVALID_REFRESH_TOKEN');
      await me(`Bearer ${alice.accessToken}`).expect(200);
    });

    it('refuses the token of a disabled user with ACCOUNT_DISABLED', async () => {
      const bob = await dukao.user(admins, 't-bob', [{ role: 'inspector' }]);
      await me(`Bearer ${bob.accessToken}`).expect(200);
      await dukao
        .http()
        .post(`/users/${bob.userId}/disable`)
        .set(bearer(admins.system))
        .send({ reason: '离职' })
        .expect(200);
      const res = await expect401(`Bearer ${bob.accessToken}`, 'ACCOUNT_DISABLED');
      expect(res.body.message).toMatch(/停用/);
      const onRoleRoute = await dukao.http().get('/audit/streams').set(bearer(bob)).expect(401);
      expect(onRoleRoute.body.code).toBe('ACCOUNT_DISABLED');
      // Refreshing does not bring the session back; that refusal is a 403 (the account, not the token, is the problem).
      const refreshed = await refresh(bob.refreshToken);
      expect({ status: refreshed.status, code: refreshed.body.code }).toEqual({
        status: 403,
        code: 'ACCOUNT_DISABLED',
      });
      // Re-enabling the account does not revive a session ended by the disabled-refresh.
      await dukao.http().post(`/users/${bob.userId}/enable`).set(bearer(admins.system)).expect(200);
      await expect401(`Bearer ${bob.accessToken}`, 'SESSION_REVOKED');
    });

    // Disabling ends the sessions for good: re-enabling does not bring copied tokens back.
    it('keeps the sessions of a disabled user ended after the account is enabled again', async () => {
      const carol = await dukao.user(admins, 't-carol', [{ role: 'inspector' }]);
      await dukao
        .http()
        .post(`/users/${carol.userId}/disable`)
        .set(bearer(admins.system))
        .send({ reason: '调查期间停用' })
        .expect(200);
      await expect401(`Bearer ${carol.accessToken}`, 'ACCOUNT_DISABLED');
      await dukao.http().post(`/users/${carol.userId}/enable`).set(bearer(admins.system)).expect(200);
      const revived = await me(`Bearer ${carol.accessToken}`);
      const refreshed = await refresh(carol.refreshToken);
      expect({ access: revived.status, refresh: refreshed.status }).toEqual({ access: 401, refresh: 401 });
    });
  });

  describe('refresh tokens', () => {
    it('rotates: the new pair works, and so does the next rotation', async () => {
      const session = await dukao.login('t-alice');
      const first = await refresh(session.refreshToken).expect(200);
      expect(first.body).toMatchObject({
        tokenType: 'Bearer',
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect(first.body.refreshToken).not.toBe(session.refreshToken);
      expect(first.body.refreshToken.split('.')[0]).toBe(session.refreshToken.split('.')[0]);
      await me(`Bearer ${first.body.accessToken}`).expect(200);
      const second = await refresh(first.body.refreshToken).expect(200);
      await me(`Bearer ${second.body.accessToken}`).expect(200);

      // The rotated-out token no longer works (presenting it is a reuse, which the next test covers).
      const old = await refresh(session.refreshToken).expect(401);
      expect(old.body.code).toBe('INVALID_REFRESH_TOKEN');
      expect(isChinese(old.body.message)).toBe(true);
    });

    it('treats a reused refresh token as stolen: the whole session ends', async () => {
      const session = await dukao.login('t-alice');
      const rotated = await refresh(session.refreshToken).expect(200);
      const newest = rotated.body as { accessToken: string; refreshToken: string };
      await me(`Bearer ${newest.accessToken}`).expect(200);

      const reuse = await refresh(session.refreshToken).expect(401);
      expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');

      await expect401(`Bearer ${newest.accessToken}`, 'SESSION_REVOKED');
      await expect401(`Bearer ${session.accessToken}`, 'SESSION_REVOKED');
      const stale = await refresh(newest.refreshToken).expect(401);
      expect(stale.body.code).toBe('INVALID_REFRESH_TOKEN');
      // Other sessions of the user are untouched.
      await me(`Bearer ${alice.accessToken}`).expect(200);
    });

    it('does not end the session when the secret is merely wrong', async () => {
      const session = await dukao.login('t-alice');
      const [sessionId] = session.refreshToken.split('.');
      const wrong = await refresh(`${sessionId}.${'x'.repeat(43)}`).expect(401);
      expect(wrong.body.code).toBe('INVALID_REFRESH_TOKEN');
      await me(`Bearer ${session.accessToken}`).expect(200);
      await refresh(session.refreshToken).expect(200);
    });

    it.each([
      ['no dot at all', 'no-dot-in-this-token'],
      ['too many parts', `${randomUUID()}.secret.extra`],
      ['an empty secret', `${randomUUID()}.`],
      ['an empty session id', '.some-secret-value'],
      ['a session id that is not a uuid', 'not-a-session-id-at-all.secret'],
      ['an upper-case session id', `${randomUUID().toUpperCase()}.secret`],
      ['an unknown session', `${randomUUID()}.${'s'.repeat(43)}`],
      ['dashes only', `${'-'.repeat(36)}.secret`],
      ['path-like', `../../${'a'.repeat(30)}.secret`],
      ['unicode', `${'城'.repeat(36)}.secret`],
      ['an access token', 'ACCESS'],
    ])('refuses a malformed refresh token: %s', async (_label, token) => {
      const value = token === 'ACCESS' ? alice.accessToken.slice(0, 200) : token;
      const res = await refresh(value).expect(401);
      expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
      expect(isChinese(res.body.message)).toBe(true);
    });

    it.each([
      ['too short', 'short'],
      ['too long', 'x'.repeat(201)],
      ['not a string', 12345678901],
      ['an object', { token: 'x' }],
      ['missing', undefined],
    ])(
      'refuses a refresh body that is not a token string (%s) as a validation error',
      async (_label, value) => {
        const res = await refresh(value).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      },
    );
  });
});

describe('tokens that run out', () => {
  let dukao: EmbeddedApp;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    // One-second access tokens, three-second sessions: the clock does the tampering.
    dukao = await EmbeddedApp.start({ ACCESS_TOKEN_TTL_SECONDS: '1', REFRESH_TOKEN_TTL_SECONDS: '3' });
    await dukao.administrator('auditor', 'short-lived');
  }, 60_000);

  afterAll(async () => {
    await dukao?.stop();
  });

  it('answers TOKEN_EXPIRED once the access token runs out, refreshes while the session lives, then refuses the refresh', async () => {
    const session = await dukao.login('short-lived');
    let res = await dukao.http().get('/auth/me').set(bearer(session));
    for (let i = 0; i < 40 && res.status === 200; i += 1) {
      await sleep(100);
      res = await dukao.http().get('/auth/me').set(bearer(session));
    }
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'TOKEN_EXPIRED' });

    const refreshed = await dukao
      .http()
      .post('/auth/refresh')
      .send({ refreshToken: session.refreshToken })
      .expect(200);
    await dukao
      .http()
      .get('/auth/me')
      .set('authorization', `Bearer ${refreshed.body.accessToken}`)
      .expect(200);

    await sleep(3200);
    const late = await dukao
      .http()
      .post('/auth/refresh')
      .send({ refreshToken: refreshed.body.refreshToken })
      .expect(401);
    expect(late.body.code).toBe('INVALID_REFRESH_TOKEN');
    expect(isChinese(late.body.message)).toBe(true);
  }, 20_000);
});
