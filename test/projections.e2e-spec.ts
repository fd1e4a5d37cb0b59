import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { createApiApp } from '../apps/api/src/bootstrap';

describe('views in embedded mode', () => {
  let dir: string;
  let app: INestApplication;
  let store: EventStore;
  const append = (streamId: string, type: string) =>
    store.append(
      streamId,
      [{ id: randomUUID(), type, data: {}, metadata: { actor: { userId: 'u-1', role: 'assessmentAdmin' }, correlationId: randomUUID() } }],
      { expectedRevision: 'any' },
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-e2e-views-'));
    app = await createApiApp(loadConfig({ DATA_DIR: dir }), { logger: false });
    await app.init();
    store = app.get(EVENT_STORE);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a query after the position a write produced (read-your-writes)', async () => {
    await append('target-a', 'TargetIssued');
    const { position } = await append('target-a', 'TargetAdjusted');
    await append('report-b', 'ProgressReported');
    const res = await request(app.getHttpServer()).get(`/audit/streams?minPosition=${position}&category=target`).expect(200);
    expect(res.body).toMatchObject({ total: 1, items: [{ _id: 'target-a', revision: 1, eventCount: 2, lastEventType: 'TargetAdjusted' }] });
  });

  it('answers 503 with a clear code when the view cannot reach the position in time', async () => {
    const res = await request(app.getHttpServer()).get('/audit/streams?minPosition=999999').expect(503);
    expect(res.body).toMatchObject({ code: 'VIEW_NOT_CAUGHT_UP', message: '数据正在更新，请稍后重试' });
  });

  it('refuses bad and unknown query parameters', async () => {
    const bad = await request(app.getHttpServer()).get('/audit/streams?limit=0&category=x;drop').expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', message: '请求参数不合法' });
    const fields = (bad.body as { details: Array<{ field: string }> }).details.map((d) => d.field);
    expect(fields.sort()).toEqual(['category', 'limit']);
    const unknown = await request(app.getHttpServer()).get('/audit/streams?owner=me').expect(400);
    expect(unknown.body.details).toEqual([{ field: 'owner', problems: [expect.any(String)] }]);
  });

  it('lists projections with position and lag, and rebuilds one on request', async () => {
    const { position } = await append('target-c', 'TargetIssued');
    await request(app.getHttpServer()).get(`/audit/streams?minPosition=${position}`).expect(200);
    const list = await request(app.getHttpServer()).get('/projections').expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: 'streamCatalog', state: 'live', position, lag: 0, activeGeneration: 1 }),
    ]);
    const before = await request(app.getHttpServer()).get('/audit/streams?limit=500').expect(200);

    await request(app.getHttpServer()).post('/projections/streamCatalog/rebuild').expect(202);
    let generation = 1;
    for (let i = 0; i < 100 && generation === 1; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      generation = (await request(app.getHttpServer()).get('/projections')).body.items[0].activeGeneration;
    }
    expect(generation).toBe(2);
    const after = await request(app.getHttpServer()).get('/audit/streams?limit=500').expect(200);
    expect(after.body).toEqual(before.body);
    await request(app.getHttpServer()).post('/projections/nope/rebuild').expect(404);
  });
});
