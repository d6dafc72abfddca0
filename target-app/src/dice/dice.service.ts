import { Inject, Injectable } from '@nestjs/common';
import { RANDOM_SOURCE, type RandomSource } from '../random/random-source';

export const DICE_FACES = 6;

@Injectable()
export class DiceService {
  constructor(@Inject(RANDOM_SOURCE) private readonly random: RandomSource) {}

  /** A uniform integer 1..6. */
  roll(): number {
    return Math.floor(this.random() * DICE_FACES) + 1;
  }
}
