import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';

const root = resolve(__dirname, '..');
const run = (script: string, env: Record<string, string>, args: string[] = []) =>
  spawnSync(process.execPath, ['-r', '@swc-node/register', script, ...args], {
    cwd: root,
    env: { ...process.env, EVENT_STORE_URL: '', READ_STORE_URL: '', REDIS_URL: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
/** As `run`, without blocking this process: the in-process server keeps serving meanwhile. */
const runAsync = (script: string, env: Record<string, string>, args: string[] = []) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
      cwd: root,
      env: { ...process.env, EVENT_STORE_URL: '', READ_STORE_URL: '', REDIS_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (status) => done({ status, stdout, stderr }));
  });
const BACKUP = 'apps/api/src/cli/backup.ts';
const RESTORE = 'apps/api/src/cli/restore.ts';

describe('backup and restore of the embedded mode', () => {
  jest.setTimeout(120_000);
  let dukao: EmbeddedApp;
  let admin: Session;
  let scratch: string;
  let backup: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'dukao-backup-'));
    backup = join(scratch, 'backup-1');
    dukao = await EmbeddedApp.start();
    admin = await dukao.administrator('systemAdmin');
    const security = await dukao.administrator('securityAdmin');
    for (const name of ['b-leader', 'b-staff']) {
      await dukao.user({ system: admin, security }, name, [{ role: 'cityLeader' }]);
    }
  }, 60_000);
  afterAll(async () => {
    await dukao?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('backs up while the server runs: every file of DATA_DIR, checked and described in a manifest', async () => {
    const result = run(BACKUP, { DATA_DIR: dukao.dir }, ['--out', backup]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^OK: backup of .* events up to position \d+/);
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8'));
    const files = Object.fromEntries(
      manifest.files.map((f: { path: string; kind: string }) => [f.path, f.kind]),
    );
    expect(files).toMatchObject({
      'events.sqlite': 'sqlite',
      'read-models.sqlite': 'sqlite',
      'jobs.sqlite': 'sqlite',
      'sms-ledger.sqlite': 'sqlite',
      'sms-outbox.sqlite': 'sqlite',
      'jwt-secret': 'file',
    });
    expect(Object.keys(files).some((p) => /-(wal|shm)$|\.pid$/.test(p))).toBe(false);
    expect(manifest.eventLog.headPosition).toBe(await dukao.headPosition());
  });

  it('refuses to restore over the running server', () => {
    const result = run(RESTORE, { DATA_DIR: dukao.dir }, [backup]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`a Dukao server (pid ${process.pid}) is running`);
  });

  it('restores into a fresh DATA_DIR: verify-log OK, and the rebuilt views are the same', async () => {
    const fresh = join(scratch, 'restored');
    const result = run(RESTORE, { DATA_DIR: fresh }, [backup]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('verify-log OK');
    expect(result.stdout).toMatch(/OK: restored \d+ files .* rebuilt \d+ projections/);
    expect(result.status).toBe(0);
    const verified = run('apps/api/src/cli/verify-log.ts', { DATA_DIR: fresh });
    expect(verified.stdout).toContain('OK:');
    expect(verified.status).toBe(0);

    const original = await dukao.http().get('/users').set(bearer(admin)).expect(200);
    // The same signing key and sessions came back: the administrator's token works on the copy.
    const copy = await EmbeddedApp.start({ DATA_DIR: fresh });
    try {
      const restored = await copy.http().get('/users').set(bearer(admin)).expect(200);
      expect(restored.body).toEqual(original.body);
      const projections = await copy.http().get('/projections').set(bearer(admin)).expect(200);
      expect(JSON.stringify(projections.body)).not.toContain('"failed"');
    } finally {
      await copy.app.close();
    }

    const again = run(RESTORE, { DATA_DIR: fresh }, [backup]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already holds data');
  });

  it('refuses a corrupted backup with a clear message and writes nothing', () => {
    const file = join(backup, 'events.sqlite');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(file, bytes);
    const target = join(scratch, 'never');
    const result = run(RESTORE, { DATA_DIR: target }, [backup]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('备份已损坏');
    expect(result.stderr).toContain('events.sqlite: 校验和不符');
    expect(existsSync(join(target, 'events.sqlite'))).toBe(false);
  });

  it('takes a consistent copy while commands keep appending', async () => {
    const out = join(scratch, 'backup-under-load');
    const security = await dukao.login('securityAdmin');
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await dukao.user({ system: admin, security }, `load-${written}`, []);
        written += 1;
      }
    })();
    const result = await runAsync(BACKUP, { DATA_DIR: dukao.dir }, ['--out', out]);
    writing = false;
    await writer;
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(written).toBeGreaterThan(0);

    const fresh = join(scratch, 'restored-under-load');
    const restored = run(RESTORE, { DATA_DIR: fresh }, [out]);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(run('apps/api/src/cli/verify-log.ts', { DATA_DIR: fresh }).status).toBe(0);
  });
});
