import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@dukao/config';
import { createApiApp } from '../apps/api/src/bootstrap';

describe('api in embedded mode', () => {
  let dir: string;
  let app: INestApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-e2e-'));
    app = await createApiApp(loadConfig({ DATA_DIR: dir, HTTP_BODY_LIMIT: '16kb' }), { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports health with the embedded event store', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      mode: 'embedded',
      eventStore: { status: 'up', adapter: 'sqlite', headPosition: null },
      projections: expect.arrayContaining([
        expect.objectContaining({ name: 'streamCatalog', failure: null }),
      ]),
    });
  });

  it('serves the OpenAPI document and the interactive docs', async () => {
    const doc = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/health');
    await request(app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
  });

  it('answers an unknown route with the error shape and a Chinese message', async () => {
    const res = await request(app.getHttpServer()).get('/no-such-route').expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: '请求的资源不存在' });
  });

  it('refuses malformed JSON with 400 and oversized bodies with 413, without a stack trace', async () => {
    const malformed = await request(app.getHttpServer())
      .post('/health')
      .set('content-type', 'application/json')
      .send('{"value": ')
      .expect(400);
    expect(malformed.body).toMatchObject({ code: 'MALFORMED_JSON', message: '请求体不是合法的 JSON' });
    expect(JSON.stringify(malformed.body)).not.toMatch(/\s+at\s/);

    const big = await request(app.getHttpServer())
      .post('/health')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ narrative: 'x'.repeat(32 * 1024) }))
      .expect(413);
    expect(big.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: '请求内容过大' });
  });

  it('echoes the caller correlation id on errors', async () => {
    const res = await request(app.getHttpServer())
      .get('/nowhere')
      .set('x-correlation-id', 'corr-42')
      .expect(404);
    expect(res.body.correlationId).toBe('corr-42');
  });
});
