import { Controller, HttpCode, Inject, Param, Post, UploadedFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock, DomainError } from '@dukao/kernel';
import { ImportSurveyResults, MAX_SURVEY_ROWS, parseSurveySheet } from '@dukao/evaluations';
import type { CommandContext } from '@dukao/event-store';
import { type UploadedFileData, uploadedXlsx, XlsxUpload } from '../common/single-file-upload';
import { CommandMeta, Roles } from '../security/access';
import { CampaignParams } from './campaigns.dto';

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
  @XlsxUpload()
  @ApiOperation({
    summary: `导入第三方调查结果 .xlsx（表头：单位编号、受访人数，及各维度平均分或满意/基本满意/不满意人数；不超过 ${MAX_SURVEY_ROWS} 行）；任何一行有误则整表不导入并返回所有错误（422）（考核管理）`,
  })
  async import(
    @Param() { campaignId }: CampaignParams,
    @UploadedFile() upload: UploadedFileData | undefined,
    @CommandMeta() context: CommandContext,
  ) {
    const file = uploadedXlsx(upload);
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
