import { Module } from '@nestjs/common';
import { LogDigester } from './digests/log-digester';
import { AuditReadRecorder } from './read-log/audit-read.recorder';

const services = [LogDigester, AuditReadRecorder];

/**
 * The audit context: the audit trail and digest views (projections registered in @dukao/composition),
 * the digester that signs the log, and the recorder of inspectors' and auditors' reads. The digest
 * reactor and schedule (`SignLogDigestWhenRankingPublished`, `LogDigestSchedule`) run where the
 * projections run and are provided there.
 */
@Module({ providers: [...services], exports: [...services] })
export class AuditModule {}
