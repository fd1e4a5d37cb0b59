import { Body, Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { CommandContext } from '@dukao/event-store';
import { AuthService, ChangeUser, hashPassword, passwordProblems } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { Inject } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import {
  AllowedBeforePasswordChange,
  Authenticated,
  CommandMeta,
  CurrentActor,
  type DukaoRequest,
  Public,
  type RequestActor,
} from '../security/access';

export class LoginBody {
  @IsString() @MinLength(1) @MaxLength(64) username!: string;
  @IsString() @MinLength(1) @MaxLength(128) password!: string;
}

export class RefreshBody {
  @IsString() @MinLength(10) @MaxLength(200) refreshToken!: string;
}

export class ChangePasswordBody {
  @IsString() @MinLength(1) @MaxLength(128) currentPassword!: string;
  @IsString() @MinLength(1) @MaxLength(128) newPassword!: string;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @Throttle({ default: { limit: 30, ttl: 60_000 } })
  @ApiOperation({ summary: '用户名密码登录，返回访问令牌与刷新令牌（公开）' })
  login(@Body() body: LoginBody, @Req() request: DukaoRequest) {
    return this.auth.login(
      body.username,
      body.password,
      request.header('user-agent')?.slice(0, 200) ?? null,
      request.correlationId,
    );
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: '用刷新令牌换取新令牌；旧刷新令牌随即失效（公开）' })
  refresh(@Body() body: RefreshBody, @Req() request: DukaoRequest) {
    return this.auth.refresh(body.refreshToken, request.correlationId);
  }

  @Post('logout')
  @Authenticated()
  @AllowedBeforePasswordChange()
  @HttpCode(204)
  @ApiOperation({ summary: '退出登录：结束本会话，其刷新令牌失效（已登录用户）' })
  async logout(@CurrentActor() actor: RequestActor, @Req() request: DukaoRequest): Promise<void> {
    await this.auth.logout(actor.principal, request.correlationId);
  }

  @Get('me')
  @Authenticated()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: '当前用户及其现行角色（已登录用户）' })
  me(@CurrentActor() actor: RequestActor) {
    const { userId, username, grants, mustChangePassword } = actor.principal;
    return { userId, username, grants, mustChangePassword };
  }

  @Put('password')
  @Authenticated()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: '修改本人密码（已登录用户）' })
  async changePassword(
    @CurrentActor() actor: RequestActor,
    @Body() body: ChangePasswordBody,
    @CommandMeta() context: CommandContext,
  ) {
    if (!(await this.auth.checkPassword(actor.principal.userId, body.currentPassword))) {
      throw new ApiError(422, 'WRONG_CURRENT_PASSWORD', '当前密码不正确');
    }
    const problem = passwordProblems(body.newPassword);
    if (problem) throw new ApiError(422, 'WEAK_PASSWORD', problem);
    if (body.newPassword === body.currentPassword)
      throw new ApiError(422, 'PASSWORD_UNCHANGED', '新密码不能与当前密码相同');
    return this.commands.execute(
      new ChangeUser(
        actor.principal.userId,
        {
          type: 'SetPassword',
          passwordHash: await hashPassword(body.newPassword),
          mustChange: false,
          at: this.clock().toISOString(),
        },
        context,
      ),
    );
  }
}
