import { Workbook } from 'exceljs';
import { parseSurveySheet } from './survey-sheet';

async function xlsx(header: string[], rows: Array<Array<string | number | null>>): Promise<Buffer> {
  const workbook = new Workbook();
  const sheet = workbook.addWorksheet('调查');
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('parseSurveySheet', () => {
  it('reads satisfaction counts per unit, numbering rows as Excel does', async () => {
    const file = await xlsx(
      ['单位编号', '受访人数', '满意', '基本满意', '不满意'],
      [['town-a', 10, 6, 3, 1]],
    );
    expect(await parseSurveySheet(file)).toEqual({
      rows: [{ row: 2, unitId: 'town-a', respondents: 10, levelCounts: { 满意: 6, 基本满意: 3, 不满意: 1 } }],
      errors: [],
    });
  });

  it('returns no rows and every bad cell when any row is wrong', async () => {
    const file = await xlsx(
      ['单位编号', '受访人数', '能力素质'],
      [
        ['town-a', 10, 80],
        ['', 2.5, 'x'],
      ],
    );
    expect(await parseSurveySheet(file)).toEqual({
      rows: [],
      errors: [
        { row: 3, column: '单位编号', message: '单位编号不能为空' },
        { row: 3, column: '受访人数', message: '受访人数须为正整数' },
        { row: 3, column: '能力素质', message: '“能力素质”须为数字' },
      ],
    });
  });

  it('refuses a header without the required columns, and a file that is not xlsx', async () => {
    expect((await parseSurveySheet(await xlsx(['单位', '人数'], []))).errors[0]?.message).toMatch(
      /表头缺少列/,
    );
    expect((await parseSurveySheet(Buffer.from('not a zip'))).errors).toEqual([
      { row: 0, message: '无法读取该文件，请确认是 .xlsx 格式的 Excel 文件' },
    ]);
  });
});
