import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { type CommandContext, deriveEventId } from '@dukao/event-store';
import {
  ChangeUser,
  DUTIES,
  type Duty,
  ROLES,
  RegisterUser,
  type Role,
  USERS,
  type UserView,
  generatePassword,
  hashPassword,
  passwordProblems,
} from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, Roles } from '../security/access';

const USERNAME = /^[\p{L}\p{N}_.-]{2,32}$/u;
const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export class RegisterUserBody {
  @Matches(USERNAME, { message: '用户名须为 2–32 位文字、数字或 _.-' }) username!: string;
  @IsString() @MinLength(1) @MaxLength(40) displayName!: string;
  @IsOptional() @Matches(/^1\d{10}$/, { message: '手机号须为 11 位' }) phone?: string;
  /** Omit to have one generated and returned once. */
  @IsOptional() @IsString() @MaxLength(128) initialPassword?: string;
}

export class MinPositionQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class ListUsersQuery {
  @IsOptional() @IsIn(['active', 'disabled']) status?: 'active' | 'disabled';
  @IsOptional() @IsIn(ROLES) role?: Role;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class ReasonBody {
  @IsString() @MinLength(1) @MaxLength(200) reason!: string;
}

export class GrantRoleBody {
  @IsIn(ROLES) role!: Role;
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @Matches(UNIT_ID, { each: true })
  unitIds?: string[];
  @IsOptional() @IsISO8601({ strict: true }) effectiveFrom?: string;
  @IsOptional() @IsISO8601({ strict: true }) effectiveUntil?: string;
}

export class RevokeRoleBody extends ReasonBody {
  @IsOptional() @IsISO8601({ strict: true }) effectiveAt?: string;
}

export class AssignMembershipBody {
  @Matches(UNIT_ID) unitId!: string;
  @IsIn(DUTIES) duty!: Duty;
  @IsOptional() @IsISO8601({ strict: true }) effectiveFrom?: string;
}

export class EndMembershipBody {
  @IsOptional() @IsISO8601({ strict: true }) effectiveAt?: string;
}

const iso = (value: string | undefined, fallback: string) =>
  value ? new Date(value).toISOString() : fallback;
/** Ids of things a command creates derive from the command id, so a repeated request names the same thing. */
const childId = (kind: string, context: CommandContext) =>
  deriveEventId(`${kind}\u0000${context.commandId}`, 0);

/** 系统管理员 manages accounts; 安全管理员 grants roles and unit duties; 安全审计员 reads. (三员分立) */
@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  @Post()
  @Roles('systemAdmin')
  @ApiOperation({ summary: '新建用户；未给初始密码时生成一个并仅此一次返回（系统管理员）' })
  async register(@Body() body: RegisterUserBody, @CommandMeta() context: CommandContext) {
    const initialPassword = body.initialPassword ?? generatePassword();
    const problem = passwordProblems(initialPassword);
    if (problem) throw new ApiError(422, 'WEAK_PASSWORD', problem);
    const result = await this.commands.execute(
      new RegisterUser(
        {
          username: body.username,
          displayName: body.displayName,
          phone: body.phone ?? null,
          initialPassword,
        },
        context,
        this.now(),
      ),
    );
    return body.initialPassword || result.replayed ? result : { ...result, initialPassword };
  }

  @Get()
  @Roles('systemAdmin', 'securityAdmin', 'auditor')
  @ApiOperation({ summary: '用户列表（系统管理员、安全管理员、安全审计员）' })
  async list(@Query() query: ListUsersQuery) {
    const filter = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.role ? { roles: { $all: [query.role] } } : {}),
    };
    return this.readYourWrites.page<UserView>(USERS, filter, { registeredAt: -1 }, query);
  }

  @Get(':userId')
  @Roles('systemAdmin', 'securityAdmin', 'auditor')
  @ApiOperation({ summary: '用户详情及授权历史（系统管理员、安全管理员、安全审计员）' })
  async get(@Param('userId', ParseUUIDPipe) userId: string, @Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(USERS, query.minPosition);
    const user = await this.views.get<UserView>(USERS, userId);
    if (!user) throw new ApiError(404, 'USER_NOT_FOUND', '用户不存在');
    return user;
  }

  @Post(':userId/disable')
  @Roles('systemAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '停用用户，其会话随即失效（系统管理员）' })
  disable(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() body: ReasonBody,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeUser(userId, { type: 'DisableUser', reason: body.reason, at: this.now() }, context),
    );
  }

  @Post(':userId/enable')
  @Roles('systemAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '重新启用用户（系统管理员）' })
  enable(@Param('userId', ParseUUIDPipe) userId: string, @CommandMeta() context: CommandContext) {
    return this.commands.execute(new ChangeUser(userId, { type: 'EnableUser', at: this.now() }, context));
  }

  @Post(':userId/password-reset')
  @Roles('systemAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '重置密码：生成临时密码并仅此一次返回，用户登录后须修改（系统管理员）' })
  async resetPassword(
    @Param('userId', ParseUUIDPipe) userId: string,
    @CommandMeta() context: CommandContext,
  ) {
    const temporaryPassword = generatePassword();
    const result = await this.commands.execute(
      new ChangeUser(
        userId,
        {
          type: 'SetPassword',
          passwordHash: await hashPassword(temporaryPassword),
          mustChange: true,
          at: this.now(),
        },
        context,
      ),
    );
    return result.replayed ? result : { ...result, temporaryPassword };
  }

  @Post(':userId/roles')
  @Roles('securityAdmin')
  @ApiOperation({ summary: '授予角色（可限定单位与有效期）（安全管理员）' })
  async grant(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() body: GrantRoleBody,
    @CommandMeta() context: CommandContext,
  ) {
    const now = this.now();
    const grantId = childId('grant', context);
    const result = await this.commands.execute(
      new ChangeUser(
        userId,
        {
          type: 'GrantRole',
          grantId,
          role: body.role,
          unitIds: body.unitIds ?? null,
          effectiveFrom: iso(body.effectiveFrom, now),
          effectiveUntil: body.effectiveUntil ? iso(body.effectiveUntil, now) : null,
          at: now,
        },
        context,
      ),
    );
    return { ...result, grantId };
  }

  @Post(':userId/roles/:grantId/revoke')
  @Roles('securityAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '撤销授权（可指定生效时间）（安全管理员）' })
  revoke(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Param('grantId', ParseUUIDPipe) grantId: string,
    @Body() body: RevokeRoleBody,
    @CommandMeta() context: CommandContext,
  ) {
    const now = this.now();
    return this.commands.execute(
      new ChangeUser(
        userId,
        {
          type: 'RevokeRole',
          grantId,
          effectiveAt: iso(body.effectiveAt, now),
          reason: body.reason,
          at: now,
        },
        context,
      ),
    );
  }

  @Post(':userId/memberships')
  @Roles('securityAdmin')
  @ApiOperation({ summary: '任命单位职责：填报责任人、分管领导、主要领导或成员（安全管理员）' })
  async assign(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() body: AssignMembershipBody,
    @CommandMeta() context: CommandContext,
  ) {
    const now = this.now();
    const membershipId = childId('membership', context);
    const result = await this.commands.execute(
      new ChangeUser(
        userId,
        {
          type: 'AssignMembership',
          membershipId,
          unitId: body.unitId,
          duty: body.duty,
          effectiveFrom: iso(body.effectiveFrom, now),
          at: now,
        },
        context,
      ),
    );
    return { ...result, membershipId };
  }

  @Post(':userId/memberships/:membershipId/end')
  @Roles('securityAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '结束单位职责（可指定生效时间）（安全管理员）' })
  endMembership(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Param('membershipId', ParseUUIDPipe) membershipId: string,
    @Body() body: EndMembershipBody,
    @CommandMeta() context: CommandContext,
  ) {
    const now = this.now();
    return this.commands.execute(
      new ChangeUser(
        userId,
        { type: 'EndMembership', membershipId, effectiveAt: iso(body.effectiveAt, now), at: now },
        context,
      ),
    );
  }
}
