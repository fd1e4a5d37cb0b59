import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Min } from 'class-validator';
import { CLOCK, type Clock } from '@dukao/kernel';
import {
  DUTIES,
  type Duty,
  UNIT_MEMBERSHIPS,
  USERS,
  type UnitMembershipView,
  type UserView,
} from '@dukao/identity';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';

export class UnitParams {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: '单位编号格式不正确' }) unitId!: string;
}

export class UnitPeopleQuery {
  /** The moment asked about; defaults to now. */
  @IsOptional() @IsISO8601({ strict: true }) asOf?: string;
  @IsOptional() @IsIn(DUTIES) duty?: Duty;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

@ApiTags('units')
@Controller('units/:unitId/people')
export class UnitPeopleController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** "Who was the leaderInCharge of Town A on 3 July": the duties in effect at `asOf`. */
  @Get()
  @Roles('cityLeader', 'assessmentAdmin', 'supervisor', 'inspector', 'unitStaff')
  @ApiOperation({ summary: '某时点单位的填报责任人、分管领导、主要领导（按数据范围）' })
  async list(
    @Param() { unitId }: UnitParams,
    @Query() query: UnitPeopleQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    assertUnitInScope(actor, unitId);
    await this.readYourWrites.waitFor(UNIT_MEMBERSHIPS, query.minPosition);
    const asOf = query.asOf ? new Date(query.asOf).toISOString() : this.clock().toISOString();
    const memberships = await this.views.find<UnitMembershipView>(
      UNIT_MEMBERSHIPS,
      {
        unitId,
        ...(query.duty ? { duty: query.duty } : {}),
        effectiveFrom: { $lte: asOf },
        $or: [{ effectiveUntil: null }, { effectiveUntil: { $gt: asOf } }],
      },
      { sort: { duty: 1, effectiveFrom: 1 }, limit: 500 },
    );
    const users = await this.views.find<UserView>(USERS, {
      _id: { $in: [...new Set(memberships.map((m) => m.userId))] },
    });
    const byId = new Map(users.map((u) => [u._id, u]));
    return {
      unitId,
      asOf,
      items: memberships.map((m) => ({
        membershipId: m._id,
        duty: m.duty,
        userId: m.userId,
        displayName: byId.get(m.userId)?.displayName ?? null,
        phone: byId.get(m.userId)?.phone ?? null,
        effectiveFrom: m.effectiveFrom,
        effectiveUntil: m.effectiveUntil,
      })),
    };
  }
}
