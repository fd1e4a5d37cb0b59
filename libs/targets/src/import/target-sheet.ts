import { type CellErrorValue, type CellValue, type Row, Workbook, type Worksheet } from 'exceljs';
import type { TargetProposal } from '../commands/propose-target.command';
import { definitionProblems } from '../domain/target.decider';
import type { Direction, Milestone, TargetKind } from '../domain/target.events';
import type { Cadence } from '../domain/periods';

/**
 * 目标批量导入: one target per row of the first worksheet, under a header row of Chinese column
 * names. The sheet is checked as a whole: a sheet with any bad row yields no rows at all and the
 * errors of every row, so a file is either imported entirely or not at all.
 */

/** A problem with the file: `row` is the Excel row number (0 when the file itself cannot be read). */
export interface RowError {
  row: number;
  /** The column's name as in the header (考核周期, 单位编号, …), when the problem is in one cell. */
  column?: string;
  message: string;
}

export interface ParsedRow {
  /** The Excel row number, which names the row in errors and in the import's derived target id. */
  row: number;
  proposal: TargetProposal;
}

export interface ParsedSheet {
  rows: ParsedRow[];
  errors: RowError[];
}

type Field = keyof TargetProposal;

/** The column of each proposal field, in the template's order. */
export const SHEET_COLUMNS: Record<Field, string> = {
  cycleId: '考核周期',
  unitId: '单位编号',
  indicatorId: '指标编号',
  title: '目标名称',
  kind: '目标类型',
  measure: '计量',
  unitOfMeasure: '计量单位',
  direction: '方向',
  annualValue: '年度目标值',
  baseline: '上年基数',
  schedule: '基准时序进度',
  cadence: '报送频次',
  reportDueDay: '报送截止日',
  dataCollectionUnitId: '数据采集单位',
  milestones: '节点',
  dynamic: '动态指标',
};
const FIELDS = Object.keys(SHEET_COLUMNS) as Field[];

/** Hints shown in the template's header, in brackets; the parser ignores anything in brackets. */
const HINTS: Partial<Record<Field, string>> = {
  kind: '量化/节点',
  direction: '越高越好/越低越好',
  schedule: '累计%，逗号分隔',
  cadence: '按月/按季',
  reportDueDay: '1–28',
  milestones: '标题|YYYY-MM-DD|是否需佐证，多个以;分隔',
  dynamic: '是/否',
};

/** Columns every row needs: a sheet without one of them is refused at its header, not on every row. */
const REQUIRED_COLUMNS: Field[] = [
  'cycleId',
  'unitId',
  'indicatorId',
  'title',
  'kind',
  'cadence',
  'dataCollectionUnitId',
];

/** More rows than this are refused: an import is proposed row by row, and one sheet is one year's plan for one office. */
export const MAX_IMPORT_ROWS = 1000;
/** The header is looked for in the first rows, so a title line above it is allowed. */
const HEADER_SEARCH_ROWS = 10;
const DEFAULT_REPORT_DUE_DAY = 10;
const MAX_MILESTONES = 50;

/** The limits of the propose route's DTO, so an imported target is one the API would have accepted. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_LENGTH: Partial<Record<Field, number>> = { title: 200, measure: 100, unitOfMeasure: 20 };
const MAX_MILESTONE_TITLE = 200;

const KINDS: Record<string, TargetKind> = {
  量化: 'quantitative',
  节点: 'milestones',
  quantitative: 'quantitative',
  milestones: 'milestones',
};
const DIRECTIONS: Record<string, Direction> = {
  越高越好: 'higherIsBetter',
  越低越好: 'lowerIsBetter',
  higherIsBetter: 'higherIsBetter',
  lowerIsBetter: 'lowerIsBetter',
};
const CADENCES: Record<string, Cadence> = {
  按月: 'monthly',
  月: 'monthly',
  月度: 'monthly',
  每月: 'monthly',
  monthly: 'monthly',
  按季: 'quarterly',
  季: 'quarterly',
  季度: 'quarterly',
  每季: 'quarterly',
  quarterly: 'quarterly',
};
const YES_NO: Record<string, boolean> = { 是: true, 否: false, true: true, false: false };

const Messages = {
  unreadable: '无法读取文件，请上传 .xlsx 格式的 Excel 文件',
  noSheet: '文件中没有工作表',
  noHeader: `未找到表头：前 ${HEADER_SEARCH_ROWS} 行中须有一行列名（考核周期、单位编号、指标编号……），请使用导入模板`,
  missingColumn: (column: string) => `缺少“${column}”列`,
  repeatedColumn: (column: string) => `“${column}”列出现了不止一次`,
  noRows: '表中没有目标数据',
  tooManyRows: `单次最多导入 ${MAX_IMPORT_ROWS} 个目标，请分批导入`,
  required: (column: string) => `请填写“${column}”`,
  cellError: (column: string, error: string) => `“${column}”单元格为错误值 ${error}`,
  id: (column: string) => `“${column}”须为字母、数字或 _.- 组成的编号，最长 64 位`,
  tooLong: (column: string, max: number) => `“${column}”最长 ${max} 个字`,
  number: (column: string) => `“${column}”须为数字`,
  integer: (column: string) => `“${column}”须为整数`,
  oneOf: (column: string, values: string[]) => `“${column}”须为${values.map((v) => `“${v}”`).join('或')}`,
  schedule: '“基准时序进度”须为以逗号分隔的累计百分数，如 25,50,75,100',
  scheduleLength: '“基准时序进度”最多 12 个值',
  milestoneFormat: (i: number) => `“节点”第 ${i} 项须为“标题|YYYY-MM-DD|是/否”`,
  milestoneTitle: (i: number) => `“节点”第 ${i} 项的标题最长 ${MAX_MILESTONE_TITLE} 个字`,
  milestoneDate: (i: number, date: string) => `“节点”第 ${i} 项的日期“${date}”不是有效日期（YYYY-MM-DD）`,
  milestoneEvidence: (i: number) => `“节点”第 ${i} 项的“是否需佐证”须为“是”或“否”`,
  tooManyMilestones: `“节点”最多 ${MAX_MILESTONES} 项`,
  duplicate: (first: number) => `与第 ${first} 行重复：同一考核周期、同一单位、同一指标只能有一个目标`,
};

// ─── cells ──────────────────────────────────────────────────────────────────

type Scalar = string | number | boolean | Date;

/** What a cell holds, seen through rich text, hyperlinks and formulas (their cached result). */
function scalarOf(value: CellValue): Scalar | CellErrorValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('error' in value) return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  // Typed as a string, a hyperlink's text is rich text when styled: recurse rather than trust the type.
  if ('hyperlink' in value) return scalarOf(value.text);
  if ('result' in value) return value.result === undefined ? null : scalarOf(value.result);
  return null;
}

function isCellError(value: Scalar | CellErrorValue | null): value is CellErrorValue {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}

const normalized = (text: string) => text.normalize('NFKC').trim();
/** A header cell's name: brackets (hints), asterisks (required marks) and spaces are not part of it. */
const headerName = (text: string) =>
  normalized(text)
    .replace(/\([^)]*\)/g, '')
    .replace(/[\s*]/g, '');

function textOf(value: Scalar): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).trim();
}

/** A number as typed: `8.0`, `1,234.5`, `8%` (read as 8). */
function parseNumber(text: string): number | undefined {
  const t = normalized(text).replace(/%$/, '');
  if (!/^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$/.test(t) || !/\d/.test(t)) return undefined;
  const n = Number(t.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** A number cell formatted as a percentage holds a fraction (8% is 0.08); the sheet's figures are in percent. */
function numberOf(value: Scalar, percentFormat: boolean): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return percentFormat ? Number((value * 100).toPrecision(12)) : value;
  }
  return typeof value === 'string' ? parseNumber(value) : undefined;
}

/** A calendar date as typed (2026-3-31, 2026/03/31, 2026.3.31) in the YYYY-MM-DD form, or undefined. */
function parseDate(text: string): string | undefined {
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(normalized(text));
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return date.toISOString().slice(0, 10);
}

// ─── the sheet ──────────────────────────────────────────────────────────────

/**
 * Reads the first worksheet: finds the header, maps each non-empty row below it to a proposal and
 * checks it (cells, the definition's own consistency, duplicates within the sheet). Checks that
 * need the planning streams (cycle, units, indicator tree) are the import command's.
 */
export async function parseTargetSheet(buffer: Buffer): Promise<ParsedSheet> {
  const workbook = new Workbook();
  try {
    // exceljs types its input as an ArrayBuffer of its own; JSZip, underneath, reads a Node Buffer.
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    return { rows: [], errors: [{ row: 0, message: Messages.unreadable }] };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { rows: [], errors: [{ row: 0, message: Messages.noSheet }] };

  const header = findHeader(sheet);
  if ('error' in header) return { rows: [], errors: [header.error] };
  if (header.errors.length) return { rows: [], errors: header.errors };

  const dataRows: Row[] = [];
  for (let r = header.row + 1; r <= sheet.rowCount; r += 1) {
    const row = sheet.findRow(r);
    if (!row || isBlank(row, header.columns)) continue;
    if (dataRows.length === MAX_IMPORT_ROWS)
      return { rows: [], errors: [{ row: r, message: Messages.tooManyRows }] };
    dataRows.push(row);
  }
  if (dataRows.length === 0) return { rows: [], errors: [{ row: header.row + 1, message: Messages.noRows }] };

  const rows: ParsedRow[] = [];
  const errors: RowError[] = [];
  for (const row of dataRows) {
    const parsed = parseRow(row, header.columns);
    errors.push(...parsed.errors);
    if (parsed.proposal) rows.push({ row: row.number, proposal: parsed.proposal });
  }
  errors.push(...duplicates(dataRows, header.columns));
  errors.sort((a, b) => a.row - b.row);
  return errors.length ? { rows: [], errors } : { rows, errors: [] };
}

type Columns = Map<Field, number>;

function findHeader(
  sheet: Worksheet,
): { row: number; columns: Columns; errors: RowError[] } | { error: RowError } {
  const byName = new Map(FIELDS.map((f) => [SHEET_COLUMNS[f], f]));
  for (let r = 1; r <= Math.min(sheet.rowCount, HEADER_SEARCH_ROWS); r += 1) {
    const row = sheet.findRow(r);
    if (!row) continue;
    const found: Array<[Field, number]> = [];
    row.eachCell((cell, col) => {
      const value = scalarOf(cell.value);
      const field = value !== null && !isCellError(value) ? byName.get(headerName(textOf(value))) : undefined;
      if (field) found.push([field, col]);
    });
    if (!found.some(([f]) => f === 'unitId')) continue;
    const columns: Columns = new Map();
    const errors: RowError[] = [];
    for (const [field, col] of found) {
      if (columns.has(field))
        errors.push({
          row: r,
          column: SHEET_COLUMNS[field],
          message: Messages.repeatedColumn(SHEET_COLUMNS[field]),
        });
      else columns.set(field, col);
    }
    for (const field of REQUIRED_COLUMNS) {
      if (!columns.has(field))
        errors.push({
          row: r,
          column: SHEET_COLUMNS[field],
          message: Messages.missingColumn(SHEET_COLUMNS[field]),
        });
    }
    return { row: r, columns, errors };
  }
  return { error: { row: 1, message: Messages.noHeader } };
}

function isBlank(row: Row, columns: Columns): boolean {
  for (const col of columns.values()) {
    const value = scalarOf(row.findCell(col)?.value ?? null);
    if (value !== null && (isCellError(value) || textOf(value) !== '')) return false;
  }
  return true;
}

/** Reads the cells of one row, recording the first problem of each cell. */
class RowReader {
  readonly errors: RowError[] = [];
  readonly failed = new Set<Field>();

  constructor(
    private readonly row: Row,
    private readonly columns: Columns,
  ) {}

  fail(field: Field, message: string): undefined {
    if (!this.failed.has(field))
      this.errors.push({ row: this.row.number, column: SHEET_COLUMNS[field], message });
    this.failed.add(field);
    return undefined;
  }

  /** The cell's value, or null when it is empty (or its column is absent). */
  value(field: Field): { value: Scalar; percent: boolean } | null {
    const col = this.columns.get(field);
    const cell = col === undefined ? undefined : this.row.findCell(col);
    const value = scalarOf(cell?.value ?? null);
    if (value === null) return null;
    if (isCellError(value))
      return this.fail(field, Messages.cellError(SHEET_COLUMNS[field], value.error)) ?? null;
    if (typeof value === 'string' && value.trim() === '') return null;
    return { value, percent: cell?.numFmt?.includes('%') ?? false };
  }

  text(field: Field, required: boolean): string {
    const cell = this.value(field);
    if (!cell) {
      if (required) this.fail(field, Messages.required(SHEET_COLUMNS[field]));
      return '';
    }
    const text = textOf(cell.value);
    const max = MAX_LENGTH[field];
    if (max !== undefined && text.length > max) this.fail(field, Messages.tooLong(SHEET_COLUMNS[field], max));
    return text;
  }

  id(field: Field): string {
    const text = this.text(field, true);
    if (text && !ID.test(text)) this.fail(field, Messages.id(SHEET_COLUMNS[field]));
    return text;
  }

  number(field: Field, integer = false): number | null {
    const cell = this.value(field);
    if (!cell) return null;
    const n = numberOf(cell.value, cell.percent);
    const column = SHEET_COLUMNS[field];
    if (n === undefined) return this.fail(field, Messages.number(column)) ?? null;
    if (integer && !Number.isInteger(n)) return this.fail(field, Messages.integer(column)) ?? null;
    return n;
  }

  oneOf<T>(field: Field, options: Record<string, T>, shown: string[], fallback?: T): T | undefined {
    const cell = this.value(field);
    const column = SHEET_COLUMNS[field];
    if (!cell) return fallback ?? this.fail(field, Messages.required(column));
    const key = typeof cell.value === 'boolean' ? String(cell.value) : normalized(textOf(cell.value));
    return Object.hasOwn(options, key) ? options[key] : this.fail(field, Messages.oneOf(column, shown));
  }

  schedule(): number[] {
    const cell = this.value('schedule');
    if (!cell) return [];
    if (typeof cell.value === 'number') {
      const n = numberOf(cell.value, cell.percent);
      return n === undefined ? (this.fail('schedule', Messages.schedule) ?? []) : [n];
    }
    const parts = normalized(textOf(cell.value))
      .replace(/%/g, '')
      .split(/[,;、\s]+/)
      .filter((p) => p !== '');
    const values = parts.map((p) => parseNumber(p));
    if (values.some((v) => v === undefined)) return this.fail('schedule', Messages.schedule) ?? [];
    if (values.length > 12) return this.fail('schedule', Messages.scheduleLength) ?? [];
    return values as number[];
  }

  milestones(): Milestone[] {
    const cell = this.value('milestones');
    if (!cell) return [];
    const entries = textOf(cell.value)
      .split(/[;；\n]/)
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (entries.length > MAX_MILESTONES) return this.fail('milestones', Messages.tooManyMilestones) ?? [];
    const milestones: Milestone[] = [];
    for (const [index, entry] of entries.entries()) {
      const i = index + 1;
      const parts = entry.split(/[|｜]/).map((p) => p.trim());
      const [title, date, evidence = ''] = parts;
      if (parts.length < 2 || parts.length > 3 || !title || !date)
        return this.fail('milestones', Messages.milestoneFormat(i)) ?? [];
      if (title.length > MAX_MILESTONE_TITLE)
        return this.fail('milestones', Messages.milestoneTitle(i)) ?? [];
      const dueDate = parseDate(date);
      if (!dueDate) return this.fail('milestones', Messages.milestoneDate(i, date)) ?? [];
      const flag = normalized(evidence);
      if (flag !== '' && !Object.hasOwn(YES_NO, flag))
        return this.fail('milestones', Messages.milestoneEvidence(i)) ?? [];
      milestones.push({ milestoneId: `m${i}`, title, dueDate, evidenceRequired: YES_NO[flag] ?? false });
    }
    return milestones;
  }
}

/** Which column a problem of `definitionProblems` is about, by the column it names. */
export function definitionProblemField(problem: string): Field | undefined {
  if (problem.includes('基准时序进度')) return 'schedule';
  if (problem.includes('报送截止日')) return 'reportDueDay';
  if (problem.includes('目标值')) return 'annualValue';
  if (problem.includes('节点')) return 'milestones';
  return undefined;
}

function parseRow(row: Row, columns: Columns): { proposal: TargetProposal | null; errors: RowError[] } {
  const cells = new RowReader(row, columns);
  const cycleId = cells.id('cycleId');
  const unitId = cells.id('unitId');
  const indicatorId = cells.id('indicatorId');
  const title = cells.text('title', true);
  const kind = cells.oneOf('kind', KINDS, ['量化', '节点']);
  const measure = cells.text('measure', false);
  const unitOfMeasure = cells.text('unitOfMeasure', false);
  // A milestone target has no direction of its own; a quantitative one must say which way is better.
  const direction = cells.oneOf(
    'direction',
    DIRECTIONS,
    ['越高越好', '越低越好'],
    kind === 'quantitative' ? undefined : 'higherIsBetter',
  );
  const annualValue = cells.number('annualValue');
  const baseline = cells.number('baseline');
  const schedule = cells.schedule();
  if (kind === 'quantitative' && schedule.length === 0 && !cells.failed.has('schedule')) {
    cells.fail('schedule', Messages.required(SHEET_COLUMNS.schedule));
  }
  const cadence = cells.oneOf('cadence', CADENCES, ['按月', '按季']);
  const reportDueDay = cells.number('reportDueDay', true) ?? DEFAULT_REPORT_DUE_DAY;
  const dataCollectionUnitId = cells.id('dataCollectionUnitId');
  const milestones = cells.milestones();
  const dynamic = cells.oneOf('dynamic', YES_NO, ['是', '否'], false);

  if (!kind || !cadence || !direction || dynamic === undefined)
    return { proposal: null, errors: cells.errors };
  const proposal: TargetProposal = {
    cycleId,
    unitId,
    indicatorId,
    title,
    kind,
    measure,
    unitOfMeasure,
    direction,
    annualValue,
    baseline,
    schedule,
    cadence,
    reportDueDay,
    dataCollectionUnitId,
    milestones,
    dynamic,
  };
  // The category and the year come from the unit and the cycle, which the import command reads; here
  // the year is the first milestone's, so only "all in one year" is checked, never a guess at the cycle's.
  const year = milestones[0] ? Number(milestones[0].dueDate.slice(0, 4)) : 0;
  for (const problem of definitionProblems({ ...proposal, category: '', year })) {
    const field = definitionProblemField(problem);
    if (field === undefined) cells.errors.push({ row: row.number, message: problem });
    else if (!cells.failed.has(field)) cells.fail(field, problem);
  }
  return { proposal: cells.errors.length ? null : proposal, errors: cells.errors };
}

/** Rows that repeat an earlier row's cycle, unit and indicator: each target is proposed once. */
function duplicates(rows: Row[], columns: Columns): RowError[] {
  const key = (row: Row, field: Field) => {
    const col = columns.get(field);
    const value = col === undefined ? null : scalarOf(row.findCell(col)?.value ?? null);
    return value === null || isCellError(value) ? '' : normalized(textOf(value));
  };
  const first = new Map<string, number>();
  const errors: RowError[] = [];
  for (const row of rows) {
    const parts = [key(row, 'cycleId'), key(row, 'unitId'), key(row, 'indicatorId')];
    if (parts.some((p) => p === '')) continue;
    const k = parts.join('\u0000');
    const earlier = first.get(k);
    if (earlier === undefined) first.set(k, row.number);
    else
      errors.push({
        row: row.number,
        column: SHEET_COLUMNS.indicatorId,
        message: Messages.duplicate(earlier),
      });
  }
  return errors;
}

// ─── the template ───────────────────────────────────────────────────────────

const TEMPLATE_EXAMPLE: Record<Field, string | number> = {
  cycleId: 'cycle-2026',
  unitId: 'town-a',
  indicatorId: 'ind-economy-gdp',
  title: 'GDP增速',
  kind: '量化',
  measure: '地区生产总值同比增速',
  unitOfMeasure: '%',
  direction: '越高越好',
  annualValue: 8.0,
  baseline: 7.1,
  schedule: '25,50,75,100',
  cadence: '按季',
  reportDueDay: 10,
  dataCollectionUnitId: 'dept-statistics',
  milestones: '',
  dynamic: '否',
};

const TEMPLATE_NOTES: Record<Field, string> = {
  cycleId: '必填。考核周期编号，如 cycle-2026',
  unitId: '必填。被考核单位编号',
  indicatorId: '必填。该单位类别现行指标体系中的末级指标编号',
  title: '必填。目标名称，最长 200 字',
  kind: '必填。量化 或 节点',
  measure: '计量口径，最长 100 字',
  unitOfMeasure: '计量单位，如 %、亿元，最长 20 字',
  direction: '量化目标必填。越高越好 或 越低越好',
  annualValue: '量化目标必填。数字；百分比格式的单元格按百分数读取（8% 即 8）',
  baseline: '选填。上年实际完成值',
  schedule:
    '量化目标必填。各期末累计应完成的百分数，以逗号分隔；按季 4 个、按月 12 个，逐期不减，最后一期为 100',
  cadence: '必填。按月 或 按季',
  reportDueDay: '选填，默认 10。每期报告于次月该日前报送，1–28',
  dataCollectionUnitId: '必填。审核该目标报送数据的单位编号',
  milestones: '节点目标必填。每项为“标题|YYYY-MM-DD|是否需佐证(是/否)”，多项以 ; 分隔，日期须在考核年度内',
  dynamic: '选填，默认 否。年中下达的目标填 是',
};

const LIST_VALIDATIONS: Partial<Record<Field, string[]>> = {
  kind: ['量化', '节点'],
  direction: ['越高越好', '越低越好'],
  cadence: ['按月', '按季'],
  dynamic: ['是', '否'],
};
const TEXT_FIELDS: Field[] = [
  'cycleId',
  'unitId',
  'indicatorId',
  'dataCollectionUnitId',
  'schedule',
  'milestones',
];
const VALIDATED_ROWS = 500;

const headerLabel = (field: Field) =>
  HINTS[field] ? `${SHEET_COLUMNS[field]}（${HINTS[field]}）` : SHEET_COLUMNS[field];

/** The import template: the header row, one example row (the worked example of DOMAIN.md) and a sheet of notes. */
export async function buildTemplate(): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = '督考';
  const sheet = workbook.addWorksheet('目标导入', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = FIELDS.map((field) => ({
    header: headerLabel(field),
    key: field,
    width: Math.min(40, Math.max(12, headerLabel(field).length * 2 + 2)),
    ...(TEXT_FIELDS.includes(field) ? { style: { numFmt: '@' } } : {}),
  }));
  const head = sheet.getRow(1);
  head.font = { bold: true };
  head.eachCell((cell, col) => {
    cell.note = TEMPLATE_NOTES[FIELDS[col - 1]!];
  });
  sheet.addRow(TEMPLATE_EXAMPLE);
  for (const [field, values] of Object.entries(LIST_VALIDATIONS) as Array<[Field, string[]]>) {
    const col = FIELDS.indexOf(field) + 1;
    for (let r = 2; r <= VALIDATED_ROWS + 1; r += 1) {
      sheet.getCell(r, col).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`"${values.join(',')}"`],
        showErrorMessage: true,
        errorTitle: SHEET_COLUMNS[field],
        error: `请选择${values.join('或')}`,
      };
    }
  }

  const notes = workbook.addWorksheet('填写说明');
  notes.columns = [
    { header: '列', key: 'column', width: 16 },
    { header: '说明', key: 'note', width: 100 },
  ];
  notes.getRow(1).font = { bold: true };
  for (const field of FIELDS) notes.addRow({ column: SHEET_COLUMNS[field], note: TEMPLATE_NOTES[field] });
  notes.addRow({});
  notes.addRow({
    column: '注意',
    note: `导入时逐行校验：任何一行有误则整表不导入，并列出所有错误。每次最多导入 ${MAX_IMPORT_ROWS} 个目标。`,
  });

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
