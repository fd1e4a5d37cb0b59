import { randomUUID } from 'node:crypto';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';

describe('views in embedded mode', () => {
  let env: EmbeddedApp;
  let auditor: Session;
  let sysadmin: Session;
  const get = (path: string, session = auditor) => env.http().get(path).set(bearer(session));
  const append = (streamId: string, type: string) =>
    env.store.append(
      streamId,
      [
        {
          id: randomUUID(),
          type,
          data: {},
          metadata: { actor: { userId: 'u-1', role: 'assessmentAdmin' }, correlationId: randomUUID() },
        },
      ],
      { expectedRevision: 'any' },
    );

  beforeAll(async () => {
    env = await EmbeddedApp.start();
    auditor = await env.administrator('auditor');
    sysadmin = await env.administrator('systemAdmin');
  });
  afterAll(() => env.stop());

  it('answers a query after the position a write produced (read-your-writes)', async () => {
    await append('target-a', 'TargetIssued');
    const { position } = await append('target-a', 'TargetAdjusted');
    await append('report-b', 'ProgressReported');
    const res = await get(`/audit/streams?minPosition=${position}&category=target`).expect(200);
    expect(res.body).toMatchObject({
      total: 1,
      items: [{ _id: 'target-a', revision: 1, eventCount: 2, lastEventType: 'TargetAdjusted' }],
    });
  });

  it('answers 503 with a clear code when the view cannot reach the position in time', async () => {
    const res = await get('/audit/streams?minPosition=999999').expect(503);
    expect(res.body).toMatchObject({ code: 'VIEW_NOT_CAUGHT_UP', message: '数据正在更新，请稍后重试' });
  });

  it('refuses bad and unknown query parameters', async () => {
    const bad = await get('/audit/streams?limit=0&category=x;drop').expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', message: '请求参数不合法' });
    const fields = (bad.body as { details: Array<{ field: string }> }).details.map((d) => d.field);
    expect(fields.sort()).toEqual(['category', 'limit']);
    const unknown = await get('/audit/streams?owner=me').expect(400);
    expect(unknown.body.details).toEqual([{ field: 'owner', problems: [expect.any(String)] }]);
  });

  it('lists projections with position and lag, and rebuilds one on request', async () => {
    const { position } = await append('target-c', 'TargetIssued');
    await get(`/audit/streams?minPosition=${position}`).expect(200);
    const list = await get('/projections', sysadmin).expect(200);
    // The read above is itself recorded (AuditViewRead, docs/audit.md), so the view may be one further.
    const catalog = (list.body.items as Array<{ name: string; position: number }>).find(
      (p) => p.name === 'streamCatalog',
    );
    expect(catalog).toMatchObject({ state: 'live', activeGeneration: 1 });
    expect(catalog!.position).toBeGreaterThanOrEqual(position);
    // Reads keep adding to the readers' own streams; the target streams are what the rebuild must keep.
    const before = await get('/audit/streams?limit=500&category=target').expect(200);

    await env.http().post('/projections/streamCatalog/rebuild').set(bearer(sysadmin)).expect(202);
    let generation = 1;
    for (let i = 0; i < 100 && generation === 1; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const items = (await get('/projections', sysadmin)).body.items as Array<{
        name: string;
        activeGeneration: number;
      }>;
      generation = items.find((p) => p.name === 'streamCatalog')!.activeGeneration;
    }
    expect(generation).toBe(2);
    const after = await get('/audit/streams?limit=500&category=target').expect(200);
    expect(after.body).toEqual(before.body);
    await env.http().post('/projections/nope/rebuild').set(bearer(sysadmin)).expect(404);
  });
});
