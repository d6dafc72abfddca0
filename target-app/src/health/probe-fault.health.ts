import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { FaultEngine } from '../chaos/fault-engine.service';
import type { Probe } from '../chaos/fault-rules';

/** Terminus indicator that reports a probe down while a `health` fault targets it. */
@Injectable()
export class ProbeFaultHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly engine: FaultEngine,
  ) {}

  check(probe: Probe, route: string) {
    const session = this.indicators.check('chaos');
    const fault = this.engine.decideProbe(probe, route);
    return fault ? session.down({ message: 'down by an injected health fault', faultId: fault.id }) : session.up();
  }
}
