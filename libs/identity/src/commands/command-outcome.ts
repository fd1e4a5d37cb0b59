import type { CommandResult } from '@dukao/event-store';

/** What every write answers: the resource, its stream revision (the ETag) and the log position (for read-your-writes). */
export interface CommandOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}

export const outcome = (id: string, result: CommandResult<unknown>): CommandOutcome => ({
  id,
  revision: result.nextRevision,
  position: result.position,
  replayed: result.replayed,
});
