import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { parseFaultSpec, type FaultSpec } from '../../../../chaos/contract/faults';

/** Validates a request body against the one fault vocabulary; 400 names every bad field. */
@Injectable()
export class FaultSpecPipe implements PipeTransform<unknown, FaultSpec> {
  transform(body: unknown): FaultSpec {
    const result = parseFaultSpec(body);
    if (!result.ok) throw new BadRequestException(result.message);
    return result.value;
  }
}
