import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { FailedAuthCounter } from '../core/admin-auth';

/** The core's per-client count of failed admin token attempts, as a Nest provider. */
@Injectable()
export class FailedAuthLimiter extends FailedAuthCounter {
  constructor(config: AppConfig) {
    super(config.adminAuthFailuresPerMinute);
  }
}
