/**
 * Child process for the crash test: appends forever from several concurrent loops and prints each
 * event id on stdout the moment its append is acknowledged (stdout to a pipe is synchronous on Linux,
 * so a printed id was acknowledged before any kill). The parent kills it with SIGKILL.
 */
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../sqlite.event-store';

const filename = process.argv[2]!;
const store = new SqliteEventStore({ filename });
const actor = { userId: 'u-crash', role: 'unitStaff', unitId: 'unit-1' };

async function loop(worker: number): Promise<void> {
  for (let n = 0; ; n += 1) {
    const events = Array.from({ length: 1 + (n % 3) }, () => ({
      id: randomUUID(),
      type: 'ProgressReported',
      data: { worker, n, narrative: '本月完成进度符合预期'.repeat(4) },
      metadata: { actor, correlationId: randomUUID() },
    }));
    await store.append(`report-${worker}-${n % 7}`, events, { expectedRevision: 'any' });
    process.stdout.write(events.map((event) => `${event.id}\n`).join(''));
  }
}

for (let worker = 0; worker < 8; worker += 1) void loop(worker);
