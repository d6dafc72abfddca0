import { Controller, Get, HttpCode, HttpStatus } from '@nestjs/common';
import { DiceService } from './dice.service';

/** The service's name in its answers, as in the seed. */
export const APP_NAME = 'dice-api';

/** The seed's body for GET /fail, kept byte for byte. */
export const INTENTIONAL_FAILURE_BODY = {
  app: APP_NAME,
  error: 'internal_server_error',
  message: 'Intentional failure',
} as const;

@Controller()
export class DiceController {
  constructor(private readonly dice: DiceService) {}

  @Get('/')
  roll(): { dice_value: number } {
    return { dice_value: this.dice.roll() };
  }

  /** Answers 500 on purpose, as the seed does: a known error for dashboards and alerts. */
  @Get('/fail')
  @HttpCode(HttpStatus.INTERNAL_SERVER_ERROR)
  fail(): typeof INTENTIONAL_FAILURE_BODY {
    return INTENTIONAL_FAILURE_BODY;
  }
}
