import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { AdminAuth } from '../core/admin-auth';
import { FailedAuthLimiter } from './failed-auth-limiter';

/**
 * The core's token rule as a guard: `Authorization: Bearer <CHAOS_ADMIN_TOKEN>`, compared in
 * constant time; 401 otherwise, and 429 with Retry-After once a client has failed too often this minute.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly auth: AdminAuth;

  constructor(config: AppConfig, limiter: FailedAuthLimiter) {
    if (!config.adminToken) throw new Error('AdminTokenGuard needs CHAOS_ADMIN_TOKEN');
    this.auth = new AdminAuth(config.adminToken, limiter);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const refusal = this.auth.refusal(request.headers.authorization, request.ip);
    if (!refusal) return true;
    http.getResponse<FastifyReply>().headers(refusal.headers);
    throw refusal.status === 401
      ? new UnauthorizedException(refusal.message)
      : new HttpException(refusal.message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
