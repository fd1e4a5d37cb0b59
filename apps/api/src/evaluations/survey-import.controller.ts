import { Controller, HttpCode, Inject, Param, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock, DomainError } from '@dukao/kernel';
import { ImportSurveyResults, MAX_SURVEY_ROWS, parseSurveySheet } from '@dukao/evaluations';
import type { CommandContext } from '@dukao/event-store';
import { singleFileUpload, type UploadedFileData } from '../common/single-file-upload';
import { ApiError } from '../errors/api-error';
import { CommandMeta, Roles } from '../security/access';
import { CampaignParams } from './campaigns.dto';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_BYTES = 5 * 1024 * 1024;
/** An .xlsx file is a ZIP archive: it starts with a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

const SurveyUpload = singleFileUpload(
  { maxBytes: MAX_BYTES, fields: 10, fieldSize: 1024 },
  {
    tooLarge: () =>
      new ApiError(413, 'IMPORT_FILE_TOO_LARGE', '导入文件不能超过 5 MB', { maxBytes: MAX_BYTES }),
    tooManyFiles: () => new ApiError(400, 'IMPORT_TOO_MANY_FILES', '一次只能导入一个文件'),
    missing: () => new ApiError(400, 'IMPORT_FILE_MISSING', '请在 file 字段中上传导入文件'),
    notMultipart: () => new ApiError(415, 'IMPORT_NOT_MULTIPART', '请以 multipart/form-data 格式上传文件'),
  },
);

const isXlsx = (file: UploadedFileData) =>
  (/\.xlsx$/i.test(file.originalname) || file.mimetype === XLSX) &&
  file.buffer.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC);

/** 第三方调查结果导入 (.xlsx): every row checked, all imported or none. */
@ApiTags('evaluations')
@Controller('campaigns/:campaignId/survey/import')
export class SurveyImportController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('assessmentAdmin')
  @UseInterceptors(SurveyUpload)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', description: '.xlsx，不超过 5 MB' } },
    },
  })
  @ApiOperation({
    summary: `导入第三方调查结果 .xlsx（表头：单位编号、受访人数，及各维度平均分或满意/基本满意/不满意人数；不超过 ${MAX_SURVEY_ROWS} 行）；任何一行有误则整表不导入并返回所有错误（422）（考核管理）`,
  })
  async import(
    @Param() { campaignId }: CampaignParams,
    @UploadedFile() file: UploadedFileData | undefined,
    @CommandMeta() context: CommandContext,
  ) {
    if (!file)
      throw new ApiError(
        400,
        'IMPORT_FILE_MISSING',
        '未收到文件：请以 multipart/form-data 在 file 字段中上传',
      );
    if (!isXlsx(file))
      throw new ApiError(415, 'IMPORT_NOT_XLSX', '仅支持 .xlsx 格式的 Excel 文件（.xls 请另存为 .xlsx）');
    const { rows, errors } = await parseSurveySheet(file.buffer);
    if (errors.length)
      throw new DomainError('invalid', 'INVALID_SURVEY', '第三方调查结果文件有误，未导入任何数据', {
        errors,
      });
    return this.commands.execute(
      new ImportSurveyResults(
        campaignId,
        rows,
        file.originalname.slice(0, 200) || null,
        context,
        this.clock().toISOString(),
      ),
    );
  }
}
