import { Workbook } from 'exceljs';
import type { AuditTrailEntry } from './audit-trail.projection';

/** The export's columns: header (Chinese) and value, in order. */
const COLUMNS: ReadonlyArray<[string, (e: AuditTrailEntry) => string | number]> = [
  ['位置 position', (e) => e.position],
  ['事件 eventId', (e) => e.eventId],
  ['类型 type', (e) => e.type],
  ['事件流 streamId', (e) => e.streamId],
  ['版本 revision', (e) => e.revision],
  ['操作人 actorId', (e) => e.actorId],
  ['角色 actorRole', (e) => e.actorRole],
  ['操作人单位 actorUnitId', (e) => e.actorUnitId ?? ''],
  ['记录时间 recordedAt', (e) => e.recordedAt],
  ['业务时间 occurredAt', (e) => e.occurredAt],
  ['关联 correlationId', (e) => e.correlationId],
  ['起因 causationId', (e) => e.causationId ?? ''],
  ['指标 targetId', (e) => e.targetId ?? ''],
  ['单位 unitId', (e) => e.unitId ?? ''],
  ['取代 supersedes', (e) => e.supersedes.map((s) => `${s.kind}:${s.ref}`).join(' ')],
  ['哈希 hash', (e) => e.hash],
  ['内容 data', (e) => JSON.stringify(e.data)],
];

/** A cell as RFC 4180 wants it; a leading = + - @ is prefixed with ' so a spreadsheet does not run it as a formula. */
function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** UTF-8 with a BOM (so Excel reads the Chinese), CRLF line ends. */
export function auditTrailCsv(entries: readonly AuditTrailEntry[]): string {
  const lines = [COLUMNS.map(([header]) => csvCell(header)).join(',')];
  for (const entry of entries) lines.push(COLUMNS.map(([, value]) => csvCell(value(entry))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function auditTrailXlsx(entries: readonly AuditTrailEntry[], caption: string): Promise<Buffer> {
  const workbook = new Workbook();
  const sheet = workbook.addWorksheet('审计轨迹', { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.addRow([caption]);
  sheet.addRow(COLUMNS.map(([header]) => header)).font = { bold: true };
  for (const entry of entries) sheet.addRow(COLUMNS.map(([, value]) => value(entry)));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
