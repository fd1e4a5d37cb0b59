import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import type { LogDigestDocument } from '@dukao/audit';
import { SqliteEventStore, type StoredEvent, readAllPages, verifyChain } from '@dukao/event-store';
import { openWorkbook } from '../testing/report.fixtures';
import { AUDIT_EXPORT_FILES, auditExportArchive } from './audit-export';

const actor = { userId: 'u-1', role: 'unitStaff', unitId: 'town-a' };

async function log(): Promise<StoredEvent[]> {
  const store = new SqliteEventStore({ filename: ':memory:' });
  await store.append(
    'target-1',
    [
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'ProgressReported',
        data: { value: 3.2 },
        metadata: { actor, correlationId: 'c1' },
      },
      {
        id: '00000000-0000-4000-8000-000000000002',
        type: 'ReportCorrected',
        data: { value: 3.4 },
        metadata: { actor, correlationId: 'c2' },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  const events: StoredEvent[] = [];
  for await (const e of readAllPages(store, { upcast: false })) events.push(e);
  await store.close();
  return events;
}

const digest = {
  digestId: 'd-1',
  signedAt: '2026-07-01T00:00:00.000Z',
  eventCount: 2,
  root: 'ab'.repeat(32),
} as LogDigestDocument;

describe('auditExportArchive', () => {
  it('packs the events as stored, their sheet, the verification, the digest and a manifest of hashes', async () => {
    const events = await log();
    const verification = await verifyChain(events, { gapFreePositions: true });
    expect(verification.ok).toBe(true);
    const zip = await JSZip.loadAsync(
      await auditExportArchive({
        generatedAt: '2026-07-10T02:00:00.000Z',
        generatedBy: 'u-inspector',
        period: { from: null, to: null },
        events,
        verification,
        digest,
      }),
    );
    expect(Object.keys(zip.files).sort()).toEqual(Object.values(AUDIT_EXPORT_FILES).sort());

    // The lines are the stored events: verifying them again gives the same answer.
    const lines = (await zip.file(AUDIT_EXPORT_FILES.events)!.async('string')).trim().split('\n');
    const again = lines.map((line) => JSON.parse(line) as StoredEvent);
    expect(again.map((e) => e.type)).toEqual(['ProgressReported', 'ReportCorrected']);
    expect(await verifyChain(again, { gapFreePositions: true })).toEqual(verification);

    expect(JSON.parse(await zip.file(AUDIT_EXPORT_FILES.verification)!.async('string'))).toMatchObject({
      ok: true,
      events: 2,
    });
    expect(JSON.parse(await zip.file(AUDIT_EXPORT_FILES.digest)!.async('string'))).toEqual(digest);
    const readme = await zip.file(AUDIT_EXPORT_FILES.readme)!.async('string');
    expect(readme).toContain('日志完整，未被篡改：共校验 2 个事件');
    expect(readme).toContain('最近一份签名日志摘要：d-1');

    const manifest = JSON.parse(await zip.file(AUDIT_EXPORT_FILES.manifest)!.async('string')) as {
      files: Record<string, { sha256: string }>;
      events: number;
    };
    expect(manifest.events).toBe(2);
    for (const [name, { sha256 }] of Object.entries(manifest.files)) {
      const content = await zip.file(name)!.async('nodebuffer');
      expect(createHash('sha256').update(content).digest('hex')).toBe(sha256);
    }

    const workbook = await openWorkbook(await zip.file(AUDIT_EXPORT_FILES.sheet)!.async('nodebuffer'));
    const sheet = workbook.getWorksheet('事件')!;
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(3).getCell(3).value).toBe('ReportCorrected');
    expect(sheet.getRow(3).getCell(11).value).toBe(events[1]!.metadata.hash);
  });

  it('says when the chain is broken and when no digest was signed, and leaves the digest file out', async () => {
    const events = await log();
    const tampered = [events[0]!, { ...events[1]!, data: { value: 9.9 } }];
    const verification = await verifyChain(tampered, { gapFreePositions: true });
    const zip = await JSZip.loadAsync(
      await auditExportArchive({
        generatedAt: '2026-07-10T02:00:00.000Z',
        generatedBy: 'u-inspector',
        period: { from: '2026-06-30T16:00:00.000Z', to: null },
        events: tampered,
        verification,
        digest: null,
      }),
    );
    expect(zip.file(AUDIT_EXPORT_FILES.digest)).toBeNull();
    const readme = await zip.file(AUDIT_EXPORT_FILES.readme)!.async('string');
    expect(readme).toContain('日志校验失败：事件流 target-1 第 1 版');
    expect(readme).toContain('最近一份签名日志摘要：无');
  });
});
