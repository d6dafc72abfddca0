import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';

/** SHA-256 digests have one length, so comparing them in constant time leaks neither content nor length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** `Authorization: Bearer <CHAOS_ADMIN_TOKEN>`, compared in constant time; 401 otherwise. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    if (!config.adminToken) throw new Error('AdminTokenGuard needs CHAOS_ADMIN_TOKEN');
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header = http.getRequest<FastifyRequest>().headers.authorization ?? '';
    const presented = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
    if (presented && timingSafeEqual(digest(presented), this.expected)) return true;
    http.getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer realm="roque-admin"');
    throw new UnauthorizedException('a valid "Authorization: Bearer <CHAOS_ADMIN_TOKEN>" header is required');
  }
}
