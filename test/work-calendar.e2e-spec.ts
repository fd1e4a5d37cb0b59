import { calendarsFor } from '@dukao/calendar';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { isChinese } from './support/requests';

/**
 * The performance office enters a year's working-day calendar from the State Council notice, reads it
 * back, corrects it (version 2), and is told precisely what is wrong with a bad one. The dates are a
 * test fixture shaped like a National Day arrangement, not the official notice. The `it`s run in order.
 */
const FIRST = {
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05'],
  workdays: ['2026-09-27'],
  source: '国办发明电〔2025〕示例号',
};
const CORRECTED = {
  holidays: [...FIRST.holidays, '2026-10-06', '2026-10-07'],
  workdays: ['2026-09-27', '2026-10-10'],
  source: '国办发明电〔2025〕示例号',
};

describe('work calendars: publish, read, republish, refuse', () => {
  let dukao: EmbeddedApp;
  let admin: Session;
  let staff: Session;
  let inspector: Session;
  const stream = () => dukao.store.readStream('workcalendar-2026');
  const put = (year: string, body: object, as: Session = admin) =>
    dukao.http().put(`/work-calendars/${year}`).set(bearer(as)).send(body);
  const get = (path: string, as: Session = staff) => dukao.http().get(path).set(bearer(as));

  beforeAll(async () => {
    dukao = await EmbeddedApp.start();
    const system = await dukao.administrator('systemAdmin');
    const security = await dukao.administrator('securityAdmin');
    const admins = { system, security };
    admin = await dukao.user(admins, 'kaohe-ban', [{ role: 'assessmentAdmin' }]);
    staff = await dukao.user(admins, 'town-a-zhang', [{ role: 'unitStaff', unitIds: ['town-a'] }]);
    inspector = await dukao.user(admins, 'jiancha', [{ role: 'inspector' }]);
  }, 60_000);

  afterAll(async () => {
    await dukao?.stop();
  });

  it('says a year not yet published is not found', async () => {
    const res = await get('/work-calendars/2026').expect(404);
    expect(res.body).toMatchObject({ code: 'WORK_CALENDAR_NOT_FOUND', details: { year: 2026 } });
    expect(isChinese(res.body.message)).toBe(true);
  });

  it('publishes version 1 and lets any signed-in user read it', async () => {
    const res = await put('2026', FIRST).expect(200);
    expect(res.body).toMatchObject({ id: '2026', revision: 0, version: 1, changed: true, replayed: false });

    const read = await get(`/work-calendars/2026?minPosition=${res.body.position}`).expect(200);
    expect(read.body).toMatchObject({
      _id: '2026',
      year: 2026,
      version: 1,
      holidays: FIRST.holidays,
      workdays: FIRST.workdays,
      source: FIRST.source,
      publishedBy: admin.userId,
    });
    expect(read.body.history).toHaveLength(1);

    const list = await get(`/work-calendars?minPosition=${res.body.position}`, inspector).expect(200);
    expect(list.body.items.map((c: { year: number }) => c.year)).toEqual([2026]);
  });

  it('appends nothing when the same calendar is published again', async () => {
    const head = await dukao.headPosition();
    const res = await put('2026', { ...FIRST, holidays: [...FIRST.holidays].reverse() }).expect(200);
    expect(res.body).toMatchObject({ version: 1, changed: false, revision: 0 });
    expect(await dukao.headPosition()).toBe(head);
  });

  it('replaces the calendar with version 2 and keeps version 1 in the history', async () => {
    const res = await put('2026', CORRECTED).expect(200);
    expect(res.body).toMatchObject({ revision: 1, version: 2, changed: true });

    const read = await get(`/work-calendars/2026?minPosition=${res.body.position}`).expect(200);
    expect(read.body).toMatchObject({
      version: 2,
      holidays: CORRECTED.holidays,
      workdays: CORRECTED.workdays,
    });
    expect(
      read.body.history.map((h: { version: number; holidays: string[] }) => [h.version, h.holidays]),
    ).toEqual([
      [1, FIRST.holidays],
      [2, CORRECTED.holidays],
    ]);
    expect(await calendarsFor(dukao.app.get<ReadModelStore>(READ_MODEL_STORE), [2026, 2027])).toEqual([
      { year: 2026, holidays: CORRECTED.holidays, workdays: CORRECTED.workdays },
    ]);
  });

  it('refuses a bad calendar with 422, every problem listed, and appends nothing', async () => {
    const head = await dukao.headPosition();
    const res = await put('2026', {
      holidays: ['2026-10-01', '2027-01-01', '2026-02-30'],
      workdays: ['2026-10-09', '2026-10-01'],
    }).expect(422);
    expect(res.body.code).toBe('INVALID_WORK_CALENDAR');
    expect(isChinese(res.body.message)).toBe(true);
    expect(res.body.details.problems).toEqual([
      '节假日 2027-01-01 不在 2026 年内',
      '节假日 2026-02-30 不是有效日期（格式 YYYY-MM-DD）',
      '调休上班日 2026-10-09 不是周六或周日',
      '2026-10-01 不能既是节假日又是调休上班日',
      '调休上班日 2026-10-01 不是周六或周日',
    ]);
    expect(await dukao.headPosition()).toBe(head);
    expect(await stream()).toHaveLength(2);
  });

  it('refuses a body of the wrong shape and a year that is not four digits with 400', async () => {
    const shape = await put('2026', { holidays: '2026-10-01', workdays: [] }).expect(400);
    expect(shape.body.code).toBe('VALIDATION_FAILED');
    const year = await put('26', FIRST).expect(400);
    expect(year.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses publishing to anyone but the assessment administrator (403), and reading to anonymous callers (401)', async () => {
    const head = await dukao.headPosition();
    for (const who of [staff, inspector]) {
      const res = await put('2027', FIRST, who).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    await dukao.http().put('/work-calendars/2027').send(FIRST).expect(401);
    await dukao.http().get('/work-calendars').expect(401);
    expect(await dukao.headPosition()).toBe(head);
    expect(await dukao.store.readStream('workcalendar-2027')).toEqual([]);
  });
});
