import { randomUUID } from 'node:crypto';
import { userStream } from '@dukao/identity';
import { EmbeddedApp, PASSWORD, type Session, bearer } from './support/embedded-app';

describe('identity: accounts, roles, duties and sessions', () => {
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admins: { system: Session; security: Session };

  beforeAll(async () => {
    env = await EmbeddedApp.start({ LOGIN_LOCKOUT_ATTEMPTS: '3' });
    system = await env.administrator('systemAdmin', 'sysadmin');
    security = await env.administrator('securityAdmin', 'secadmin');
    admins = { system, security };
  });
  afterAll(() => env.stop());

  it('makes a newly created user replace the password the administrator chose before anything else', async () => {
    const created = await env
      .http()
      .post('/users')
      .set(bearer(system))
      .send({ username: 'liuyang', displayName: '刘洋' })
      .expect(201);
    const generated = created.body.initialPassword as string;
    expect(generated).toEqual(expect.any(String));
    await env
      .http()
      .post(`/users/${created.body.id}/roles`)
      .set(bearer(security))
      .send({ role: 'inspector' })
      .expect(201);

    const first = await env.login('liuyang', generated);
    const blocked = await env.http().get('/audit/streams').set(bearer(first)).expect(403);
    expect(blocked.body).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED', message: '请先修改初始密码' });
    const weak = await env
      .http()
      .put('/auth/password')
      .set(bearer(first))
      .send({ currentPassword: generated, newPassword: 'password' })
      .expect(422);
    expect(weak.body.code).toBe('WEAK_PASSWORD');
    await env
      .http()
      .put('/auth/password')
      .set(bearer(first))
      .send({ currentPassword: generated, newPassword: PASSWORD })
      .expect(200);
    await env.http().get('/audit/streams').set(bearer(first)).expect(200);
  });

  it('records who did it and the request correlation id on every event, with server time', async () => {
    const correlation = `corr-${randomUUID()}`;
    const before = Date.now();
    const created = await env
      .http()
      .post('/users')
      .set(bearer(system))
      .set('x-correlation-id', correlation)
      .send({
        username: 'chenjing',
        displayName: '陈静',
        phone: '13900000001',
        initialPassword: 'Initial-Pass-1',
      })
      .expect(201);
    expect(created.headers['x-correlation-id']).toBe(correlation);
    const events = await env.store.readStream(userStream(created.body.id));
    expect(events.map((e) => e.type)).toEqual(['UserRegistered', 'PasswordSet']);
    for (const event of events) {
      expect(event.metadata.actor).toEqual({ userId: system.userId, role: 'systemAdmin', unitId: null });
      expect(event.metadata.correlationId).toBe(correlation);
      expect(Date.parse(event.metadata.recordedAt)).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(JSON.stringify(events)).not.toContain('Initial-Pass-1');

    const forged = await env
      .http()
      .post('/users')
      .set(bearer(system))
      .send({ username: 'forger', displayName: 'x', recordedAt: '2020-01-01T00:00:00Z' })
      .expect(400);
    expect(forged.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'recordedAt' }] });
  });

  it('answers a repeated request with the same Idempotency-Key with the first result and appends nothing', async () => {
    const send = () =>
      env
        .http()
        .post('/users')
        .set(bearer(system))
        .set('idempotency-key', 'create-zhaolei-0001')
        .send({ username: 'zhaolei', displayName: '赵磊', initialPassword: 'Initial-Pass-1' });
    const first = await send().expect(201);
    const head = await env.headPosition();
    const again = await send().expect(201);
    expect(again.body).toMatchObject({
      id: first.body.id,
      revision: first.body.revision,
      position: first.body.position,
      replayed: true,
    });
    expect(await env.headPosition()).toBe(head);
    const clash = await env
      .http()
      .post('/users')
      .set(bearer(system))
      .send({ username: 'zhaolei', displayName: '另一个赵磊', initialPassword: 'Initial-Pass-1' })
      .expect(409);
    expect(clash.body).toMatchObject({ code: 'USERNAME_TAKEN', message: '用户名已被使用' });
  });

  it('keeps the three administrators apart (三员分立)', async () => {
    const res = await env
      .http()
      .post(`/users/${system.userId}/roles`)
      .set(bearer(security))
      .send({ role: 'auditor' })
      .expect(409);
    expect(res.body.code).toBe('SEPARATION_OF_DUTIES');
    expect(res.body.message).toMatch(/三员分立/);
    await env
      .http()
      .post(`/users/${system.userId}/roles`)
      .set(bearer(system))
      .send({ role: 'auditor' })
      .expect(403);
  });

  it('answers who held a duty in a unit on a given day, from effective-dated assignments', async () => {
    const li = await env.user(admins, 'lisi', []);
    const wang = await env.user(admins, 'wangwu', []);
    const assign = (user: Session, effectiveFrom: string) =>
      env
        .http()
        .post(`/users/${user.userId}/memberships`)
        .set(bearer(security))
        .send({ unitId: 'town-a', duty: 'leaderInCharge', effectiveFrom });
    const liDuty = await assign(li, '2026-01-01T00:00:00+08:00').expect(201);
    await env
      .http()
      .post(`/users/${li.userId}/memberships/${liDuty.body.membershipId}/end`)
      .set(bearer(security))
      .send({ effectiveAt: '2026-07-04T00:00:00+08:00' })
      .expect(200);
    const wangDuty = await assign(wang, '2026-07-04T00:00:00+08:00').expect(201);
    await env
      .http()
      .post(`/users/${wang.userId}/memberships`)
      .set(bearer(security))
      .send({ unitId: 'town-a', duty: 'leaderInCharge', effectiveFrom: '2026-08-01T00:00:00+08:00' })
      .expect(409);

    const leader = await env.user(admins, 'leader', [{ role: 'cityLeader' }]);
    const on = async (asOf: string) =>
      (
        await env
          .http()
          .get(
            `/units/town-a/people?duty=leaderInCharge&asOf=${encodeURIComponent(asOf)}&minPosition=${wangDuty.body.position}`,
          )
          .set(bearer(leader))
          .expect(200)
      ).body.items.map((p: { displayName: string }) => p.displayName);
    expect(await on('2026-07-03T12:00:00+08:00')).toEqual(['lisi']);
    expect(await on('2026-07-05T09:00:00+08:00')).toEqual(['wangwu']);
    expect(await on('2025-12-01T00:00:00+08:00')).toEqual([]);
  });

  it('limits unit staff to their own unit', async () => {
    const staff = await env.user(admins, 'staff-a', [{ role: 'unitStaff', unitIds: ['town-a'] }]);
    await env.http().get('/units/town-a/people').set(bearer(staff)).expect(200);
    const other = await env.http().get('/units/town-b/people').set(bearer(staff)).expect(403);
    expect(other.body).toMatchObject({ code: 'OUT_OF_SCOPE', message: '无权访问其他单位的数据' });
  });

  it('takes a revoked role away at once, from the stream rather than a view', async () => {
    const inspector = await env.user(admins, 'jiancha', [{ role: 'inspector' }]);
    await env.http().get('/audit/streams').set(bearer(inspector)).expect(200);
    const user = await env.http().get(`/users/${inspector.userId}`).set(bearer(security)).expect(200);
    const grantId = user.body.grants[0].grantId as string;
    await env
      .http()
      .post(`/users/${inspector.userId}/roles/${grantId}/revoke`)
      .set(bearer(security))
      .send({ reason: '调离' })
      .expect(200);
    await env.http().get('/audit/streams').set(bearer(inspector)).expect(403);
  });

  it('locks an account after repeated failed logins, with a clear error, and records it', async () => {
    await env.user(admins, 'careless', []);
    for (let i = 0; i < 2; i += 1) {
      const wrong = await env
        .http()
        .post('/auth/login')
        .send({ username: 'careless', password: 'wrong-password' })
        .expect(401);
      expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });
    }
    const locking = await env
      .http()
      .post('/auth/login')
      .send({ username: 'careless', password: 'wrong-password' })
      .expect(423);
    expect(locking.body.code).toBe('ACCOUNT_LOCKED');
    const locked = await env
      .http()
      .post('/auth/login')
      .send({ username: 'careless', password: PASSWORD })
      .expect(423);
    expect(locked.body.message).toMatch(/账户已锁定/);
    const unknown = await env
      .http()
      .post('/auth/login')
      .send({ username: 'nobody-here', password: PASSWORD })
      .expect(401);
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    const log = await env.store.readAll({ filter: { eventTypes: ['UserLockedOut'] } });
    expect(log).toHaveLength(1);
    expect(log[0]!.metadata.actor.userId).toBe('system');
  });

  it('ends every session of a disabled user at once and lets no new one start', async () => {
    const user = await env.user(admins, 'leaving', [{ role: 'inspector' }]);
    await env
      .http()
      .post(`/users/${user.userId}/disable`)
      .set(bearer(system))
      .send({ reason: '离职' })
      .expect(200);
    const res = await env.http().get('/audit/streams').set(bearer(user)).expect(401);
    expect(res.body.code).toBe('ACCOUNT_DISABLED');
    await env.http().post('/auth/login').send({ username: 'leaving', password: PASSWORD }).expect(403);
    await env.http().post(`/users/${user.userId}/enable`).set(bearer(system)).expect(200);
    await env.login('leaving');
  });

  it('rotates refresh tokens and ends the session on logout', async () => {
    const session = await env.login('sysadmin');
    const refreshed = await env
      .http()
      .post('/auth/refresh')
      .send({ refreshToken: session.refreshToken })
      .expect(200);
    expect(refreshed.body.refreshToken).not.toBe(session.refreshToken);
    const next = { ...session, accessToken: refreshed.body.accessToken as string };
    await env.http().get('/users').set(bearer(next)).expect(200);
    await env.http().post('/auth/logout').set(bearer(next)).expect(204);
    const after = await env.http().get('/users').set(bearer(next)).expect(401);
    expect(after.body.code).toBe('SESSION_REVOKED');
    await env.http().post('/auth/refresh').send({ refreshToken: refreshed.body.refreshToken }).expect(401);
  });

  it('lists users for the administrators, without password hashes', async () => {
    const res = await env.http().get('/users?limit=100&role=inspector').set(bearer(security)).expect(200);
    expect(res.body.items.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['liuyang']),
    );
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt/);
    const auditor = await env.administrator('auditor', 'shenji');
    await env.http().get('/users').set(bearer(auditor)).expect(200);
    await env
      .http()
      .post('/users')
      .set(bearer(auditor))
      .send({ username: 'nope', displayName: 'x' })
      .expect(403);
  });
});
