import { type CellValue, Workbook } from 'exceljs';
import type { CommandBus } from '@nestjs/cqrs';
import { type CommandContext, type EventStore, SqliteEventStore, handleCommand } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import {
  type ProposeTarget,
  ProposeTargetHandler,
  type TargetProposal,
} from '../commands/propose-target.command';
import { cycleDecider, cycleStream } from '../domain/cycle.decider';
import { DEFAULT_SCHEME } from '../domain/scheme';
import { targetStream } from '../domain/target.events';
import { unitDecider, unitStream } from '../domain/unit.decider';
import { ImportTargets, ImportTargetsHandler, importedTargetId } from './import-targets.command';
import { checkProposalReferences } from './proposal-references';
import { MAX_IMPORT_ROWS, type ParsedRow, buildTemplate, parseTargetSheet } from './target-sheet';

type SheetRow = Record<string, CellValue>;

const HEADER = [
  '考核周期',
  '单位编号',
  '指标编号',
  '目标名称',
  '目标类型（量化/节点）',
  '计量',
  '计量单位',
  '方向（越高越好/越低越好）',
  '年度目标值',
  '上年基数',
  '基准时序进度',
  '报送频次（按月/按季）',
  '报送截止日',
  '数据采集单位',
  '节点',
  '动态指标（是/否）',
];

/** The worked example of DOMAIN.md, as a row keyed by the column names without their hints. */
const GDP_ROW: SheetRow = {
  考核周期: 'cycle-2026',
  单位编号: 'town-a',
  指标编号: 'ind-economy-gdp',
  目标名称: 'GDP增速',
  目标类型: '量化',
  计量: '地区生产总值同比增速',
  计量单位: '%',
  方向: '越高越好',
  年度目标值: 8.0,
  上年基数: 7.1,
  基准时序进度: '25,50,75,100',
  报送频次: '按季',
  报送截止日: 10,
  数据采集单位: 'dept-statistics',
  节点: null,
  动态指标: '否',
};

const GDP: TargetProposal = {
  cycleId: 'cycle-2026',
  unitId: 'town-a',
  indicatorId: 'ind-economy-gdp',
  title: 'GDP增速',
  kind: 'quantitative',
  measure: '地区生产总值同比增速',
  unitOfMeasure: '%',
  direction: 'higherIsBetter',
  annualValue: 8.0,
  baseline: 7.1,
  schedule: [25, 50, 75, 100],
  cadence: 'quarterly',
  reportDueDay: 10,
  dataCollectionUnitId: 'dept-statistics',
  milestones: [],
  dynamic: false,
};

const RENOVATION_ROW: SheetRow = {
  ...GDP_ROW,
  单位编号: 'town-b',
  指标编号: 'ind-livelihood-renovation',
  目标名称: '老旧小区改造',
  目标类型: '节点',
  计量: '老旧小区改造项目节点完成情况',
  计量单位: null,
  方向: null,
  年度目标值: null,
  上年基数: null,
  基准时序进度: null,
  报送频次: '按月',
  数据采集单位: 'dept-housing',
  节点: '完成项目立项|2026-03-31|否；开工建设|2026/6/30|是',
  动态指标: '是',
};

const columnName = (header: string) => header.replace(/（.*）$/, '');

/** An .xlsx with the header in row 1 (or below `preamble` rows) and one row per entry. */
async function workbook(
  rows: SheetRow[],
  options: { header?: string[]; preamble?: string[] } = {},
): Promise<Buffer> {
  const header = options.header ?? HEADER;
  const book = new Workbook();
  const sheet = book.addWorksheet('目标');
  for (const line of options.preamble ?? []) sheet.addRow([line]);
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(header.map((h) => row[columnName(h)] ?? null));
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('parseTargetSheet', () => {
  describe('a good sheet', () => {
    it('maps each row to a proposal, named by its Excel row number', async () => {
      const { rows, errors } = await parseTargetSheet(await workbook([GDP_ROW, RENOVATION_ROW]));

      expect(errors).toEqual([]);
      expect(rows).toEqual<ParsedRow[]>([
        { row: 2, proposal: GDP },
        {
          row: 3,
          proposal: {
            ...GDP,
            unitId: 'town-b',
            indicatorId: 'ind-livelihood-renovation',
            title: '老旧小区改造',
            kind: 'milestones',
            measure: '老旧小区改造项目节点完成情况',
            unitOfMeasure: '',
            annualValue: null,
            baseline: null,
            schedule: [],
            cadence: 'monthly',
            dataCollectionUnitId: 'dept-housing',
            milestones: [
              { milestoneId: 'm1', title: '完成项目立项', dueDate: '2026-03-31', evidenceRequired: false },
              { milestoneId: 'm2', title: '开工建设', dueDate: '2026-06-30', evidenceRequired: true },
            ],
            dynamic: true,
          },
        },
      ]);
    });

    it('reads a percentage-formatted cell in percent, and full-width separators in the schedule', async () => {
      const book = new Workbook();
      const sheet = book.addWorksheet('目标');
      sheet.addRow(HEADER);
      const row = sheet.addRow(HEADER.map((h) => GDP_ROW[columnName(h)] ?? null));
      const value = row.getCell(HEADER.indexOf('年度目标值') + 1);
      value.value = 0.08;
      value.numFmt = '0.0%';
      row.getCell(HEADER.indexOf('基准时序进度') + 1).value = '25%，50%，75%，100%';

      const { rows, errors } = await parseTargetSheet(Buffer.from(await book.xlsx.writeBuffer()));

      expect(errors).toEqual([]);
      expect(rows[0]?.proposal).toMatchObject({ annualValue: 8, schedule: [25, 50, 75, 100] });
    });

    it('finds the header below a title line, skips empty rows and ignores columns it does not know', async () => {
      const header = [...HEADER, '备注'];
      const buffer = await workbook([GDP_ROW, {}, { ...GDP_ROW, 单位编号: 'town-b', 备注: '新增' }], {
        header,
        preamble: ['2026 年度目标表'],
      });

      const { rows, errors } = await parseTargetSheet(buffer);

      expect(errors).toEqual([]);
      expect(rows.map((r) => [r.row, r.proposal.unitId])).toEqual([
        [3, 'town-a'],
        [5, 'town-b'],
      ]);
    });

    it('defaults the due day to 10 and dynamic to 否 when their columns are absent', async () => {
      const header = HEADER.filter((h) => !h.startsWith('报送截止日') && !h.startsWith('动态指标'));
      const { rows, errors } = await parseTargetSheet(await workbook([GDP_ROW], { header }));

      expect(errors).toEqual([]);
      expect(rows[0]?.proposal).toEqual(GDP);
    });
  });

  describe('a sheet with bad rows', () => {
    it('returns no rows and every bad row’s errors, with row numbers, columns and Chinese messages', async () => {
      const buffer = await workbook([
        { ...GDP_ROW, 单位编号: null, 年度目标值: '八' }, // row 2
        GDP_ROW, // row 3: good, but the sheet is refused as a whole
        { ...GDP_ROW, 单位编号: 'town-c', 目标类型: '定量', 报送频次: '每年' }, // row 4
        { ...GDP_ROW, 单位编号: 'town-d', 基准时序进度: '25,50,75', 报送截止日: 31 }, // row 5
        { ...GDP_ROW, 单位编号: 'town-e', 基准时序进度: '25,60,50,100', 方向: '越低越好', 年度目标值: -1 }, // row 6
        { ...RENOVATION_ROW, 节点: '立项|2026-02-30|否;开工' }, // row 7
        { ...RENOVATION_ROW, 单位编号: 'town-f', 节点: null }, // row 8
        { ...GDP_ROW, 单位编号: 'town-g', 基准时序进度: null, 数据采集单位: 'dept statistics' }, // row 9
      ]);

      const { rows, errors } = await parseTargetSheet(buffer);

      expect(rows).toEqual([]);
      expect(errors).toEqual([
        { row: 2, column: '单位编号', message: '请填写“单位编号”' },
        { row: 2, column: '年度目标值', message: '“年度目标值”须为数字' },
        { row: 4, column: '目标类型', message: '“目标类型”须为“量化”或“节点”' },
        { row: 4, column: '报送频次', message: '“报送频次”须为“按月”或“按季”' },
        { row: 5, column: '基准时序进度', message: '基准时序进度须有 4 个值' },
        { row: 5, column: '报送截止日', message: '报送截止日须为 1–28 日' },
        { row: 6, column: '年度目标值', message: '越低越好的目标值不能为负' },
        { row: 6, column: '基准时序进度', message: '基准时序进度须在 0–100 之间且逐期不减' },
        { row: 7, column: '节点', message: '“节点”第 1 项的日期“2026-02-30”不是有效日期（YYYY-MM-DD）' },
        { row: 8, column: '节点', message: '节点目标须至少有一个节点' },
        { row: 9, column: '基准时序进度', message: '请填写“基准时序进度”' },
        {
          row: 9,
          column: '数据采集单位',
          message: '“数据采集单位”须为字母、数字或 _.- 组成的编号，最长 64 位',
        },
      ]);
    });

    it('refuses a sheet missing a column every row needs, at the header', async () => {
      const header = HEADER.filter((h) => h !== '指标编号' && h !== '数据采集单位');
      const { rows, errors } = await parseTargetSheet(await workbook([GDP_ROW], { header }));

      expect(rows).toEqual([]);
      expect(errors).toEqual([
        { row: 1, column: '指标编号', message: '缺少“指标编号”列' },
        { row: 1, column: '数据采集单位', message: '缺少“数据采集单位”列' },
      ]);
    });

    it('refuses a file that is not a workbook, a sheet without a header and a sheet without data', async () => {
      expect(await parseTargetSheet(Buffer.from('考核周期,单位编号\n'))).toEqual({
        rows: [],
        errors: [{ row: 0, message: '无法读取文件，请上传 .xlsx 格式的 Excel 文件' }],
      });
      const noHeader = await parseTargetSheet(await workbook([GDP_ROW], { header: ['周期', '单位'] }));
      expect(noHeader.errors).toEqual([{ row: 1, message: expect.stringContaining('未找到表头') }]);
      expect((await parseTargetSheet(await workbook([]))).errors).toEqual([
        { row: 2, message: '表中没有目标数据' },
      ]);
    });

    it(`refuses more than ${MAX_IMPORT_ROWS} rows`, async () => {
      const many = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => ({
        ...GDP_ROW,
        单位编号: `town-${i}`,
      }));
      const { rows, errors } = await parseTargetSheet(await workbook(many));

      expect(rows).toEqual([]);
      expect(errors).toEqual([
        { row: MAX_IMPORT_ROWS + 2, message: `单次最多导入 ${MAX_IMPORT_ROWS} 个目标，请分批导入` },
      ]);
    });
  });

  describe('duplicates', () => {
    it('refuses a row repeating an earlier row’s cycle, unit and indicator, naming the earlier row', async () => {
      const buffer = await workbook([
        GDP_ROW,
        { ...GDP_ROW, 单位编号: 'town-b' },
        { ...GDP_ROW, 年度目标值: 9 },
        { ...GDP_ROW, 考核周期: 'cycle-2027' },
        { ...GDP_ROW, 单位编号: 'town-b' },
      ]);

      const { rows, errors } = await parseTargetSheet(buffer);

      expect(rows).toEqual([]);
      expect(errors).toEqual([
        {
          row: 4,
          column: '指标编号',
          message: '与第 2 行重复：同一考核周期、同一单位、同一指标只能有一个目标',
        },
        {
          row: 6,
          column: '指标编号',
          message: '与第 3 行重复：同一考核周期、同一单位、同一指标只能有一个目标',
        },
      ]);
    });
  });

  describe('the template', () => {
    it('round-trips through the parser: its example row is the worked example, without errors', async () => {
      const { rows, errors } = await parseTargetSheet(await buildTemplate());

      expect(errors).toEqual([]);
      expect(rows).toEqual([{ row: 2, proposal: GDP }]);
    });

    it('has the header row, a notes sheet and drop-downs for the enumerated columns', async () => {
      const book = new Workbook();
      await book.xlsx.load((await buildTemplate()) as unknown as ArrayBuffer);
      const [sheet, notes] = book.worksheets;

      expect(
        (sheet!.getRow(1).values as unknown[]).slice(1).map((v) => String(v).replace(/（.*）$/, '')),
      ).toEqual(HEADER.map(columnName));
      expect(sheet!.getCell('E3').dataValidation).toMatchObject({ type: 'list', formulae: ['"量化,节点"'] });
      expect(notes!.name).toBe('填写说明');
    });
  });
});

// ─── ImportTargets ──────────────────────────────────────────────────────────

describe('ImportTargets', () => {
  const at = '2026-01-12T02:00:00.000Z';
  const actor = { userId: 'u-admin', role: 'assessmentAdmin', unitId: null };
  const context = (commandId: string): CommandContext => ({ commandId, actor, correlationId: 'corr-1' });
  let store: SqliteEventStore;
  let handler: ImportTargetsHandler;

  let seeded = 0;
  const seedContext = () => context(`seed-${(seeded += 1)}`);

  beforeEach(async () => {
    store = new SqliteEventStore({ filename: ':memory:' });
    const propose = new ProposeTargetHandler(store);
    const bus = { execute: (command: ProposeTarget) => propose.execute(command) } as unknown as CommandBus;
    handler = new ImportTargetsHandler(store, bus);

    const cycle = cycleStream('cycle-2026');
    const open = {
      type: 'OpenCycle',
      cycleId: 'cycle-2026',
      year: 2026,
      name: '2026 年度',
      defaultScheme: DEFAULT_SCHEME,
      at,
    } as const;
    await handleCommand(store, cycle, cycleDecider, open, seedContext());
    const tree = {
      type: 'PublishIndicatorTree',
      category: 'towns',
      scale: 1000,
      effectiveFrom: at,
      at,
      indicators: [
        { indicatorId: 'ind-economy', parentId: null, name: '经济发展', level: 1, points: 600, method: null },
        {
          indicatorId: 'ind-economy-gdp',
          parentId: 'ind-economy',
          name: 'GDP增速',
          level: 2,
          points: 600,
          method: 'completion',
        },
        {
          indicatorId: 'ind-livelihood-renovation',
          parentId: null,
          name: '老旧小区改造',
          level: 1,
          points: 400,
          method: 'milestones',
        },
      ],
    } as const;
    await handleCommand(
      store,
      cycle,
      cycleDecider,
      { ...tree, indicators: [...tree.indicators] },
      seedContext(),
    );
    for (const [unitId, category] of [
      ['town-a', 'towns'],
      ['town-b', 'towns'],
      ['dept-statistics', 'departments'],
      ['dept-housing', 'departments'],
    ] as const) {
      await handleCommand(
        store,
        unitStream(unitId),
        unitDecider,
        { type: 'RegisterUnit', unitId, name: unitId, category, subCategory: null, at },
        seedContext(),
      );
    }
  });
  afterEach(async () => {
    await store.close();
  });

  const parsed = async (rows: SheetRow[]) => {
    const sheet = await parseTargetSheet(await workbook(rows));
    expect(sheet.errors).toEqual([]);
    return sheet.rows;
  };
  const proposedIn = async (s: EventStore, targetId: string) =>
    (await s.readStream(targetStream(targetId))).map((e) => e.type);

  it('proposes every row, with target ids derived from the command id and the row', async () => {
    const rows = await parsed([GDP_ROW, RENOVATION_ROW]);

    const outcome = await handler.execute(new ImportTargets(rows, context('u-admin:import-1'), at));

    const ids = [importedTargetId('u-admin:import-1', 2), importedTargetId('u-admin:import-1', 3)];
    expect(outcome).toEqual({ imported: 2, targetIds: ids, position: expect.any(Number) });
    const [first] = await store.readStream(targetStream(ids[0]!));
    expect(first).toMatchObject({
      type: 'TargetProposed',
      data: {
        definition: { ...GDP, category: 'towns', year: 2026 },
        reviewStages: ['lineDepartment', 'assessmentOffice', 'leaderInCharge'],
      },
    });
    expect(await proposedIn(store, ids[1]!)).toEqual(['TargetProposed']);
  });

  it('a retried import (same command id) proposes nothing twice', async () => {
    const rows = await parsed([GDP_ROW, RENOVATION_ROW]);
    const first = await handler.execute(new ImportTargets(rows, context('u-admin:import-1'), at));

    const again = await handler.execute(new ImportTargets(rows, context('u-admin:import-1'), at));

    expect(again.targetIds).toEqual(first.targetIds);
    for (const id of first.targetIds) expect(await proposedIn(store, id)).toEqual(['TargetProposed']);
  });

  it('checks every row against the plan first, and writes nothing when any row fails', async () => {
    const rows = await parsed([
      GDP_ROW, // row 2: good
      { ...GDP_ROW, 单位编号: 'town-x', 数据采集单位: 'dept-x' }, // row 3
      { ...GDP_ROW, 单位编号: 'town-b', 指标编号: 'ind-economy' }, // row 4: not a leaf
      { ...RENOVATION_ROW, 节点: '立项|2027-03-31|否' }, // row 5: outside the cycle's year
      { ...GDP_ROW, 考核周期: 'cycle-2030' }, // row 6
    ]);

    const refusal = await handler
      .execute(new ImportTargets(rows, context('u-admin:import-2'), at))
      .catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({
      kind: 'invalid',
      code: 'IMPORT_REJECTED',
      message: '导入文件有误，未导入任何目标',
      details: {
        errors: [
          { row: 3, column: '单位编号', message: '考核单位不存在' },
          { row: 3, column: '数据采集单位', message: '数据采集单位不存在' },
          { row: 4, column: '指标编号', message: '该单位类别的现行指标体系中没有此指标' },
          { row: 5, column: '节点', message: '节点截止日期须在考核年度内' },
          { row: 6, column: '考核周期', message: '考核周期不存在或已结束' },
        ],
      },
    });
    for (const { row } of rows)
      expect(await proposedIn(store, importedTargetId('u-admin:import-2', row))).toEqual([]);
  });
});

describe('checkProposalReferences', () => {
  it('reports every broken reference in the order ProposeTarget refuses them, and no definition', async () => {
    const empty: Pick<EventStore, 'readStream'> = { readStream: async () => [] };

    const check = await checkProposalReferences(empty, GDP, '2026-01-12T02:00:00.000Z');

    expect(check.definition).toBeNull();
    expect(check.problems.map((p) => p.code)).toEqual([
      'CYCLE_NOT_OPEN',
      'UNIT_NOT_FOUND',
      'COLLECTOR_NOT_FOUND',
    ]);
  });
});
