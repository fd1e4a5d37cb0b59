import { createHash } from 'node:crypto';
import { Workbook } from 'exceljs';
import JSZip from 'jszip';
import type { LogDigestDocument } from '@dukao/audit';
import type { StoredEvent, VerifyResult } from '@dukao/event-store';

/** What an audit export holds, before it is packed. */
export interface AuditExportInput {
  generatedAt: string;
  /** The inspector who asked (user id) and the filter they gave. */
  generatedBy: string;
  period: { from: string | null; to: string | null };
  /** The events of the period, as stored (not upcast), in log order. */
  events: readonly StoredEvent[];
  /** The hash-chain check of the whole log, made in the same pass. */
  verification: VerifyResult;
  /** The latest signed log digest, or null (none signed yet, or no signing key). */
  digest: LogDigestDocument | null;
}

export const AUDIT_EXPORT_FILES = {
  readme: '说明.txt',
  manifest: 'manifest.json',
  events: 'events.jsonl',
  sheet: 'events.xlsx',
  verification: 'verification.json',
  digest: 'log-digest.json',
} as const;

const sha256 = (content: Buffer | string) => createHash('sha256').update(content).digest('hex');

function readme(input: AuditExportInput): string {
  const v = input.verification;
  const verdict = v.ok
    ? `日志完整，未被篡改：共校验 ${v.events} 个事件、${v.streams} 个事件流，最后位置 ${v.lastPosition ?? '—'}。`
    : `日志校验失败：事件流 ${v.firstBreak!.streamId} 第 ${v.firstBreak!.revision} 版（日志位置 ${v.firstBreak!.position}）处哈希链断裂（${v.firstBreak!.reason}：${v.firstBreak!.detail}）。`;
  const period = `${input.period.from ?? '日志开始'} 至 ${input.period.to ?? input.generatedAt}`;
  return [
    '督考 审计导出（供电子监察、纪检使用）',
    '',
    `生成时间：${input.generatedAt}`,
    `导出人：${input.generatedBy}`,
    `事件记录时间范围：${period}（共 ${input.events.length} 个事件）`,
    '',
    `哈希链校验（整个日志）：${verdict}`,
    input.digest
      ? `最近一份签名日志摘要：${input.digest.digestId}，签发于 ${input.digest.signedAt}，覆盖前 ${input.digest.eventCount} 个事件，默克尔根 ${input.digest.root}。`
      : '最近一份签名日志摘要：无（尚未签发，或服务器未配置签名密钥）。',
    '',
    '文件：',
    `  ${AUDIT_EXPORT_FILES.events}        期间内的事件，原样（未升级），每行一个 JSON，含 prevHash 与 hash`,
    `  ${AUDIT_EXPORT_FILES.sheet}        同一批事件的表格（便于阅读）`,
    `  ${AUDIT_EXPORT_FILES.verification}   整个日志的哈希链校验结果`,
    `  ${AUDIT_EXPORT_FILES.digest}     最近一份签名日志摘要（自包含，含公钥与签名；无则不含此文件）`,
    `  ${AUDIT_EXPORT_FILES.manifest}       本导出的说明与各文件的 SHA-256`,
    '',
    '复核：可用 POST /audit/digests/verify 提交 log-digest.json，或在服务器上运行 npm run verify-log。',
    '',
  ].join('\r\n');
}

/** The events as a readable sheet: one row per event, its data as JSON. */
async function eventsSheet(events: readonly StoredEvent[]): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = '督考';
  const sheet = workbook.addWorksheet('事件', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow([
    '位置',
    '事件编号',
    '类型',
    '事件流',
    '版本',
    '操作人',
    '角色',
    '记录时间',
    '业务时间',
    '前一哈希',
    '哈希',
    '内容',
  ]).font = { bold: true };
  for (const e of events)
    sheet.addRow([
      e.position,
      e.id,
      e.type,
      e.streamId,
      e.revision,
      e.metadata.actor.userId,
      e.metadata.actor.role,
      e.metadata.recordedAt,
      e.metadata.occurredAt ?? '',
      e.metadata.prevHash,
      e.metadata.hash,
      JSON.stringify(e.data),
    ]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * Packs an audit export as a ZIP archive: the events as stored (JSON lines, so their hashes can be
 * recomputed) and as a sheet, the whole log's hash-chain verification, the latest signed digest,
 * a manifest with each file's SHA-256, and a Chinese 说明.
 */
export async function auditExportArchive(input: AuditExportInput): Promise<Buffer> {
  const files = new Map<string, Buffer>();
  files.set(AUDIT_EXPORT_FILES.readme, Buffer.from(`\uFEFF${readme(input)}`, 'utf8'));
  files.set(
    AUDIT_EXPORT_FILES.events,
    Buffer.from(input.events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8'),
  );
  files.set(AUDIT_EXPORT_FILES.sheet, await eventsSheet(input.events));
  files.set(
    AUDIT_EXPORT_FILES.verification,
    Buffer.from(
      `${JSON.stringify({ ...input.verification, checkedAt: input.generatedAt }, null, 2)}\n`,
      'utf8',
    ),
  );
  if (input.digest)
    files.set(AUDIT_EXPORT_FILES.digest, Buffer.from(`${JSON.stringify(input.digest, null, 2)}\n`, 'utf8'));
  const manifest = {
    format: 'dukao-audit-export/1',
    generatedAt: input.generatedAt,
    generatedBy: input.generatedBy,
    period: input.period,
    events: input.events.length,
    firstPosition: input.events[0]?.position ?? null,
    lastPosition: input.events.at(-1)?.position ?? null,
    verification: { ok: input.verification.ok, events: input.verification.events },
    digest: input.digest ? { digestId: input.digest.digestId, root: input.digest.root } : null,
    files: Object.fromEntries([...files].map(([name, content]) => [name, { sha256: sha256(content) }])),
  };
  files.set(AUDIT_EXPORT_FILES.manifest, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  const zip = new JSZip();
  const date = new Date(input.generatedAt);
  for (const [name, content] of files) zip.file(name, content, { date, binary: true });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
}
