import { createSecretKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { DomainError } from '@dukao/kernel';

export interface AccessClaims {
  sub: string;
  sid: string;
  typ: 'access';
}

const ISSUER = 'dukao';
const AUDIENCE = 'dukao-api';

export const TokenErrors = {
  missing: () => new DomainError('unauthenticated', 'UNAUTHENTICATED', '未登录或登录已过期'),
  invalid: () => new DomainError('unauthenticated', 'INVALID_TOKEN', '访问令牌无效'),
  expired: () => new DomainError('unauthenticated', 'TOKEN_EXPIRED', '访问令牌已过期，请刷新或重新登录'),
};

/**
 * The HS256 signing key: JWT_SECRET when set (required in production, where replicas share it);
 * in embedded mode a random key made once in DATA_DIR/jwt-secret (mode 0600), so nothing ships a
 * default secret and restarts keep sessions valid.
 */
export function resolveJwtSecret(config: AppConfig): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** Short-lived access tokens. Only HS256 is accepted, so `alg: none` or a swapped algorithm is refused. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // A KeyObject, not a string: given a string, jsonwebtoken first tries (and fails) to parse it as a
    // public key on every verification, which cost about a tenth of a request's CPU.
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(resolveJwtSecret(config), 'utf8')) });
  }

  get accessTtlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  sign(userId: string, sessionId: string, now: Date): string {
    const claims: AccessClaims = { sub: userId, sid: sessionId, typ: 'access' };
    return this.jwt.sign(
      { ...claims, iat: Math.floor(now.getTime() / 1000) },
      { algorithm: 'HS256', expiresIn: this.accessTtlSeconds, issuer: ISSUER, audience: AUDIENCE },
    );
  }

  verify(token: string, now: Date): AccessClaims {
    try {
      const claims = this.jwt.verify<AccessClaims & { iat: number }>(token, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTimestamp: Math.floor(now.getTime() / 1000),
      });
      if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string')
        throw TokenErrors.invalid();
      return claims;
    } catch (error) {
      if (error instanceof TokenExpiredError) throw TokenErrors.expired();
      throw TokenErrors.invalid();
    }
  }
}
