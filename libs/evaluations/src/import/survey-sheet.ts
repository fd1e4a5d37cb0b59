import { type CellValue, Workbook } from 'exceljs';
import type { SurveyRowInput } from '../domain/campaign.decider';
import { SATISFACTION_LEVELS } from '../domain/campaign.events';

/**
 * 第三方调查结果导入: the first worksheet, header in row 1: 单位编号, 受访人数, then either one column
 * per questionnaire dimension (the mean score, 0–100) or the three columns 满意/基本满意/不满意 (the
 * number of respondents who chose each). Cells are checked here; whether the units, dimensions and
 * totals fit the campaign is the decider's check (`ImportSurveyResults`), which names the same rows.
 */

/** A problem with the file: `row` is the Excel row number (0 when the file itself cannot be read). */
export interface SurveyRowError {
  row: number;
  column?: string;
  message: string;
}

export const MAX_SURVEY_ROWS = 1000;
const UNIT = '单位编号';
const RESPONDENTS = '受访人数';

function scalar(value: CellValue): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('result' in value) return scalar(value.result);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value) return String(value.text);
  return null;
}

const text = (value: CellValue) => {
  const v = scalar(value);
  return v === null ? '' : String(v).trim();
};

/** All rows, or none and every problem found. */
export async function parseSurveySheet(
  buffer: Buffer,
): Promise<{ rows: SurveyRowInput[]; errors: SurveyRowError[] }> {
  const workbook = new Workbook();
  try {
    // exceljs types its input as an ArrayBuffer of its own; JSZip, underneath, reads a Node Buffer.
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    return { rows: [], errors: [{ row: 0, message: '无法读取该文件，请确认是 .xlsx 格式的 Excel 文件' }] };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { rows: [], errors: [{ row: 0, message: '文件中没有工作表' }] };

  const columns = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => {
    const name = text(cell.value).replace(/[（(].*[）)]$/, '');
    if (name) columns.set(name, col);
  });
  const missing = [UNIT, RESPONDENTS].filter((c) => !columns.has(c));
  if (missing.length) return { rows: [], errors: [{ row: 1, message: `表头缺少列：${missing.join('、')}` }] };
  const scoreColumns = [...columns.keys()].filter((c) => c !== UNIT && c !== RESPONDENTS);
  const bySatisfaction = SATISFACTION_LEVELS.some((l) => columns.has(l));
  if (scoreColumns.length === 0)
    return {
      rows: [],
      errors: [{ row: 1, message: '表头须有各评议维度的平均分列，或“满意、基本满意、不满意”人数列' }],
    };

  const rows: SurveyRowInput[] = [];
  const errors: SurveyRowError[] = [];
  for (let r = 2; r <= sheet.rowCount; r += 1) {
    const row = sheet.findRow(r);
    if (!row) continue;
    const cell = (column: string) => scalar(row.getCell(columns.get(column)!).value);
    if ([UNIT, RESPONDENTS, ...scoreColumns].every((c) => text(row.getCell(columns.get(c)!).value) === ''))
      continue;
    if (rows.length + 1 > MAX_SURVEY_ROWS)
      return { rows: [], errors: [{ row: r, message: `最多 ${MAX_SURVEY_ROWS} 行` }] };
    const before = errors.length;
    const unitId = text(row.getCell(columns.get(UNIT)!).value);
    if (!unitId) errors.push({ row: r, column: UNIT, message: '单位编号不能为空' });
    const respondents = cell(RESPONDENTS);
    if (typeof respondents !== 'number' || !Number.isInteger(respondents) || respondents <= 0)
      errors.push({ row: r, column: RESPONDENTS, message: '受访人数须为正整数' });
    const values: Record<string, number> = {};
    for (const column of scoreColumns) {
      const value = cell(column);
      if (typeof value !== 'number' || !Number.isFinite(value))
        errors.push({ row: r, column, message: `“${column}”须为数字` });
      else values[column] = value;
    }
    if (errors.length === before)
      rows.push({
        row: r,
        unitId,
        respondents: respondents as number,
        ...(bySatisfaction ? { levelCounts: values } : { dimensionMeans: values }),
      });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ row: 2, message: '没有数据行' });
  return errors.length ? { rows: [], errors } : { rows, errors: [] };
}
