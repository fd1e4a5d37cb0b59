import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelStoreContract } from './read-model-store.contract';
import { SqliteReadModelStore } from './sqlite.read-model-store';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let file: string;
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-rm-'));
  dirs.push(dir);
  file = join(dir, 'read-models.sqlite');
});

describeReadModelStoreContract('sqlite', async () => new SqliteReadModelStore({ filename: file }));
