import { DomainError } from '@dukao/kernel';

export const invalidLogDigest = (problem: string) =>
  new DomainError('invalid', 'INVALID_LOG_DIGEST', `日志摘要无效：${problem}`, { problem });

export const signingKeyNotConfigured = () =>
  new DomainError(
    'conflict',
    'SIGNING_KEY_NOT_CONFIGURED',
    '未配置日志摘要签名密钥（AUDIT_SIGNING_KEY_FILE），无法签发摘要',
  );

export const logDigestNotFound = (digestId: string) =>
  new DomainError('not-found', 'LOG_DIGEST_NOT_FOUND', '日志摘要不存在', { digestId });

/** The log does not hash as stored: a digest would sign a tampered log, so none is made. */
export const logNotIntact = (detail: Record<string, unknown>) =>
  new DomainError('conflict', 'LOG_NOT_INTACT', '日志校验失败，拒绝签发摘要', detail);
