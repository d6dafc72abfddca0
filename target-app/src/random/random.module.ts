import { Global, Module } from '@nestjs/common';
import { mathRandom, RANDOM_SOURCE } from './random-source';

/** The one random source of the app (dice rolls, fault decisions); tests override RANDOM_SOURCE. */
@Global()
@Module({
  providers: [{ provide: RANDOM_SOURCE, useValue: mathRandom }],
  exports: [RANDOM_SOURCE],
})
export class RandomModule {}
