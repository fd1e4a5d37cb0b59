import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';
import { ApiError } from '../errors/api-error';

/** The part of multer's file object our routes read (memory storage, so the bytes are in `buffer`). */
export interface UploadedFileData {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** How one upload route names its refusals (codes differ per route; the messages are Chinese). */
export interface UploadErrors {
  tooLarge: () => ApiError;
  tooManyFiles: () => ApiError;
  missing: () => ApiError;
  notMultipart: () => ApiError;
}

/**
 * An interceptor for one file in the field `file`, kept in memory and cut off past `maxBytes` while
 * it is still arriving; multer's refusals (too large, malformed multipart, wrong field) become the
 * route's own errors instead of 500s or English messages.
 */
export function singleFileUpload(
  limits: { maxBytes: number; fields: number; fieldSize: number },
  errors: UploadErrors,
): Type<NestInterceptor> {
  const Multer = FileInterceptor('file', {
    limits: { fileSize: limits.maxBytes, files: 1, fields: limits.fields, fieldSize: limits.fieldSize },
  });

  @Injectable()
  class SingleFileUpload implements NestInterceptor {
    private readonly multer: NestInterceptor = new Multer();

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      try {
        return await this.multer.intercept(context, next);
      } catch (error) {
        const cause = (error instanceof HttpException ? error.cause : error) as
          { code?: unknown } | undefined;
        const status = error instanceof HttpException ? error.getStatus() : 400;
        if (status === 413 || cause?.code === 'LIMIT_FILE_SIZE') throw errors.tooLarge();
        if (cause?.code === 'LIMIT_FILE_COUNT') throw errors.tooManyFiles();
        if (cause?.code === 'LIMIT_UNEXPECTED_FILE') throw errors.missing();
        if (status === 415) throw errors.notMultipart();
        throw new ApiError(400, 'MALFORMED_UPLOAD', '上传的内容格式不正确，请重新上传');
      }
    }
  }
  return SingleFileUpload;
}
