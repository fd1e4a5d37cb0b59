import { Module } from '@nestjs/common';
import { AuthService } from './auth/auth.service';
import { TokenService } from './auth/token.service';
import { ChangeUserHandler } from './commands/change-user.command';
import { RegisterUserHandler } from './commands/register-user.command';

const commandHandlers = [RegisterUserHandler, ChangeUserHandler];
const services = [TokenService, AuthService];

/** Identity: users, role grants, unit duties, sessions. Its projection is `usersProjection`. */
@Module({
  providers: [...commandHandlers, ...services],
  exports: [...services],
})
export class IdentityModule {}
