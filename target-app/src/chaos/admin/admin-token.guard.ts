import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { FailedAuthLimiter } from './failed-auth-limiter';

/** SHA-256 digests have one length, so comparing them in constant time leaks neither content nor length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * `Authorization: Bearer <CHAOS_ADMIN_TOKEN>`, compared in constant time; 401 otherwise,
 * and 429 with Retry-After once a client has failed too often this minute.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    config: AppConfig,
    private readonly limiter: FailedAuthLimiter,
  ) {
    if (!config.adminToken) throw new Error('AdminTokenGuard needs CHAOS_ADMIN_TOKEN');
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (presented && timingSafeEqual(digest(presented), this.expected)) return true;
    const retryAfterSeconds = this.limiter.fail(request.ip);
    if (retryAfterSeconds > 0) {
      reply.header('Retry-After', String(retryAfterSeconds));
      throw new HttpException(`too many failed admin token attempts; retry after ${retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
    reply.header('WWW-Authenticate', 'Bearer realm="roque-admin"');
    throw new UnauthorizedException('a valid "Authorization: Bearer <CHAOS_ADMIN_TOKEN>" header is required');
  }
}
