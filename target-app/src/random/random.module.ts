import { type DynamicModule, Global, Module } from '@nestjs/common';
import { mathRandom, RANDOM_SOURCE, type RandomSource } from './random-source';

/** The one random source of the app (dice rolls, fault decisions); tests may pass their own. */
@Global()
@Module({})
export class RandomModule {
  static forRoot(random: RandomSource = mathRandom): DynamicModule {
    return {
      module: RandomModule,
      providers: [{ provide: RANDOM_SOURCE, useValue: random }],
      exports: [RANDOM_SOURCE],
    };
  }
}
