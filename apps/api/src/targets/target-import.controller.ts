import { Controller, Get, Inject, Post, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import {
  ImportErrors,
  type ImportOutcome,
  ImportTargets,
  MAX_IMPORT_ROWS,
  buildTemplate,
  parseTargetSheet,
} from '@dukao/targets';
import { singleFileUpload, type UploadedFileData } from '../common/single-file-upload';
import { ApiError } from '../errors/api-error';
import { CommandMeta, Roles } from '../security/access';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_BYTES = 5 * 1024 * 1024;
/** An .xlsx file is a ZIP archive: it starts with a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** One file in the field `file`, in memory, cut off past 5 MiB while it is still arriving. */
const TargetSheetUpload = singleFileUpload(
  { maxBytes: MAX_BYTES, fields: 10, fieldSize: 1024 },
  {
    tooLarge: () =>
      new ApiError(413, 'IMPORT_FILE_TOO_LARGE', '导入文件不能超过 5 MB', { maxBytes: MAX_BYTES }),
    tooManyFiles: () => new ApiError(400, 'IMPORT_TOO_MANY_FILES', '一次只能导入一个文件'),
    missing: () => new ApiError(400, 'IMPORT_FILE_MISSING', '请在 file 字段中上传导入文件'),
    notMultipart: () => new ApiError(415, 'IMPORT_NOT_MULTIPART', '请以 multipart/form-data 格式上传文件'),
  },
);

/** .xlsx by name (or by media type, for clients that send no name) and by content. */
function isXlsx(file: UploadedFileData): boolean {
  const named = /\.xlsx$/i.test(file.originalname) || file.mimetype === XLSX;
  return named && file.buffer.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC);
}

/** 目标批量导入: a sheet of targets, all proposed or none. */
@ApiTags('targets')
@Controller('targets/import')
export class TargetImportController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('assessmentAdmin')
  @UseInterceptors(TargetSheetUpload)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', description: '.xlsx，不超过 5 MB' } },
    },
  })
  @ApiOperation({
    summary: `批量导入目标：按模板填写的 .xlsx（不超过 5 MB、${MAX_IMPORT_ROWS} 行），逐行校验，任何一行有误则整表不导入并返回所有错误（422 IMPORT_REJECTED）；全部无误则逐个拟定并提交联审。带 Idempotency-Key 重试不会重复拟定（考核管理）`,
  })
  async import(
    @UploadedFile() file: UploadedFileData | undefined,
    @CommandMeta() context: CommandContext,
  ): Promise<ImportOutcome> {
    if (!file)
      throw new ApiError(
        400,
        'IMPORT_FILE_MISSING',
        '未收到文件：请以 multipart/form-data 在 file 字段中上传',
      );
    if (!isXlsx(file))
      throw new ApiError(415, 'IMPORT_NOT_XLSX', '仅支持 .xlsx 格式的 Excel 文件（.xls 请另存为 .xlsx）');
    const { rows, errors } = await parseTargetSheet(file.buffer);
    if (errors.length) throw ImportErrors.rejected(errors);
    return this.commands.execute(new ImportTargets(rows, context, this.clock().toISOString()));
  }

  @Get('template')
  @Roles('assessmentAdmin')
  @ApiProduces(XLSX)
  @ApiOperation({ summary: '下载目标导入模板（.xlsx，含示例行与填写说明）（考核管理）' })
  async template(): Promise<StreamableFile> {
    const content = await buildTemplate();
    return new StreamableFile(content, {
      type: XLSX,
      length: content.length,
      disposition: `attachment; filename="target-import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('目标导入模板.xlsx')}`,
    });
  }
}
