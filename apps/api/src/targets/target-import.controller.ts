import { Controller, Get, Inject, Post, StreamableFile, UploadedFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
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
import { type UploadedFileData, uploadedXlsx, XLSX, XlsxUpload } from '../common/single-file-upload';
import { CommandMeta, Roles } from '../security/access';

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
  @XlsxUpload()
  @ApiOperation({
    summary: `批量导入目标：按模板填写的 .xlsx（不超过 5 MB、${MAX_IMPORT_ROWS} 行），逐行校验，任何一行有误则整表不导入并返回所有错误（422 IMPORT_REJECTED）；全部无误则逐个拟定并提交联审。带 Idempotency-Key 重试不会重复拟定（考核管理）`,
  })
  async import(
    @UploadedFile() upload: UploadedFileData | undefined,
    @CommandMeta() context: CommandContext,
  ): Promise<ImportOutcome> {
    const file = uploadedXlsx(upload);
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
