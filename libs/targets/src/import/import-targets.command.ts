import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  type StoredEvent,
  deriveEventId,
} from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import type { TargetOutcome } from '../commands/change-target.command';
import { ProposeTarget } from '../commands/propose-target.command';
import { definitionProblems } from '../domain/target.decider';
import { DEFAULT_REVIEW_STAGES } from '../domain/target.events';
import { REFERENCE_FIELDS, checkProposalReferences } from './proposal-references';
import { type ParsedRow, type RowError, SHEET_COLUMNS, definitionProblemField } from './target-sheet';

export interface ImportOutcome {
  imported: number;
  /** In the order of the sheet's rows. */
  targetIds: string[];
  /** Log position of the last proposal written, for read-your-writes (`minPosition`). */
  position: number | null;
}

export const ImportErrors = {
  /** The sheet, or its references, have errors: nothing was written. `details.errors` lists every one. */
  rejected: (errors: RowError[]) =>
    new DomainError('invalid', 'IMPORT_REJECTED', '导入文件有误，未导入任何目标', { errors }),
  /**
   * A proposal failed after the whole sheet had been checked (the plan changed meanwhile): the rows
   * before it are written. The same request with the same Idempotency-Key finishes the import
   * without proposing any of them twice.
   */
  incomplete: (row: number, imported: string[], cause: unknown) =>
    new DomainError(
      'conflict',
      'IMPORT_INCOMPLETE',
      `导入在第 ${row} 行中断，已导入 ${imported.length} 个目标；请以相同的幂等键重试以完成导入`,
      {
        row,
        imported: imported.length,
        targetIds: imported,
        cause: cause instanceof DomainError ? { code: cause.code, message: cause.message } : null,
      },
    ),
};

/**
 * 目标批量导入: proposes a target for each parsed row, through review with the default stages, all or
 * none. Every row is checked against the planning streams before any is written.
 */
export class ImportTargets extends Command<ImportOutcome> {
  constructor(
    readonly rows: ParsedRow[],
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/**
 * The target id of an imported row derives from the command id and the row, so a retried import
 * (same Idempotency-Key) names the same targets and `ProposeTarget` replays instead of proposing again.
 */
export const importedTargetId = (commandId: string, row: number) =>
  deriveEventId(`import-row\u0000${commandId}\u0000${row}`, 0);

/** Reads each stream once per import: a sheet is mostly one cycle and a few dozen units. */
function memoisedReader(store: EventStore): Pick<EventStore, 'readStream'> {
  const reads = new Map<string, Promise<StoredEvent[]>>();
  return {
    readStream: (streamId: string) => {
      let read = reads.get(streamId);
      if (!read) reads.set(streamId, (read = store.readStream(streamId)));
      return read;
    },
  };
}

@CommandHandler(ImportTargets)
export class ImportTargetsHandler implements ICommandHandler<ImportTargets> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
  ) {}

  async execute({ rows, context, at }: ImportTargets): Promise<ImportOutcome> {
    const errors = await this.check(rows, at);
    if (errors.length) throw ImportErrors.rejected(errors);

    const targetIds: string[] = [];
    let position: number | null = null;
    // One at a time, in sheet order: a failure stops the import at a known row.
    for (const { row, proposal } of rows) {
      const targetId = importedTargetId(context.commandId, row);
      let outcome: TargetOutcome;
      try {
        outcome = await this.commands.execute(
          new ProposeTarget(targetId, proposal, [...DEFAULT_REVIEW_STAGES], context, at),
        );
      } catch (error) {
        if (targetIds.length === 0) throw error;
        throw ImportErrors.incomplete(row, targetIds, error);
      }
      targetIds.push(targetId);
      if (outcome.position !== null) position = Math.max(position ?? 0, outcome.position);
    }
    return { imported: targetIds.length, targetIds, position };
  }

  /** Everything `ProposeTarget` would refuse, for every row, without writing anything. */
  private async check(rows: ParsedRow[], at: string): Promise<RowError[]> {
    const reader = memoisedReader(this.store);
    const perRow = await Promise.all(
      rows.map(async ({ row, proposal }): Promise<RowError[]> => {
        const { problems, definition } = await checkProposalReferences(reader, proposal, at);
        const errors: RowError[] = problems.map((problem) => {
          const field = REFERENCE_FIELDS[problem.code];
          return field
            ? { row, column: SHEET_COLUMNS[field], message: problem.message }
            : { row, message: problem.message };
        });
        // The sheet was checked without the cycle's year; with it, a milestone may fall outside the year.
        for (const message of definition ? definitionProblems(definition) : []) {
          const field = definitionProblemField(message);
          errors.push(field ? { row, column: SHEET_COLUMNS[field], message } : { row, message });
        }
        return errors;
      }),
    );
    return perRow.flat();
  }
}
