import { IsIn, IsOptional, Matches } from 'class-validator';
import { ExplainScoreQuery } from '../scoring/scores.dto';
import { ID, MinPositionQuery } from '../targets/target.dto';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_MESSAGE = { message: '日期格式须为 YYYY-MM-DD' };

export const DOCUMENT_FORMATS = ['html', 'pdf'] as const;
export const REPORT_FORMATS = ['html', 'pdf', 'xlsx'] as const;
export const PERIOD_REPORT_FORMATS = ['html', 'pdf', 'xlsx', 'json'] as const;

export class PerformanceReportParams {
  @Matches(ID, { message: '考核周期编号格式不正确' }) cycleId!: string;
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '月份格式须为 YYYY-MM' }) month!: string;
}

export class PerformanceReportQuery extends MinPositionQuery {
  /** html (default; printable, charts inline), pdf (rendered from the HTML) or xlsx. */
  @IsOptional() @IsIn(REPORT_FORMATS) format: (typeof REPORT_FORMATS)[number] = 'html';
}

/** A period of Shanghai dates, both included, optionally one cycle's cases only. */
export class PeriodReportQuery extends MinPositionQuery {
  @Matches(DATE, DATE_MESSAGE) from!: string;
  @Matches(DATE, DATE_MESSAGE) to!: string;
  @IsOptional() @Matches(ID, { message: '考核周期编号格式不正确' }) cycleId?: string;
  @IsOptional() @IsIn(PERIOD_REPORT_FORMATS) format: (typeof PERIOD_REPORT_FORMATS)[number] = 'html';
}

export class ExplanationDocumentQuery extends ExplainScoreQuery {
  @IsOptional() @IsIn(DOCUMENT_FORMATS) format: (typeof DOCUMENT_FORMATS)[number] = 'html';
}

/** Events recorded from the start of `from` to the end of `to` (Shanghai dates); both optional. */
export class AuditExportQuery {
  @IsOptional() @Matches(DATE, DATE_MESSAGE) from?: string;
  @IsOptional() @Matches(DATE, DATE_MESSAGE) to?: string;
}
