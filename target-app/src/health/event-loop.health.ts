import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Readiness fails when the event loop's p99 delay over the last window exceeds this. */
export const EVENT_LOOP_DELAY_LIMIT_MS = 1000;
const WINDOW_MS = 5000;

/** Terminus indicator for event-loop delay, measured over rolling windows of a few seconds. */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleDestroy {
  private readonly delay = monitorEventLoopDelay({ resolution: 20 });
  private lastWindowP99Ms = 0;
  private readonly rollover: NodeJS.Timeout;

  constructor(private readonly indicators: HealthIndicatorService) {
    this.delay.enable();
    this.rollover = setInterval(() => {
      this.lastWindowP99Ms = this.currentP99Ms();
      this.delay.reset();
    }, WINDOW_MS).unref();
  }

  check(key: string) {
    const p99Ms = Math.max(this.lastWindowP99Ms, this.currentP99Ms());
    const data = { p99DelayMs: Math.round(p99Ms), limitMs: EVENT_LOOP_DELAY_LIMIT_MS };
    const session = this.indicators.check(key);
    return p99Ms > EVENT_LOOP_DELAY_LIMIT_MS ? session.down(data) : session.up(data);
  }

  onModuleDestroy(): void {
    clearInterval(this.rollover);
    this.delay.disable();
  }

  private currentP99Ms(): number {
    return this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0;
  }
}
