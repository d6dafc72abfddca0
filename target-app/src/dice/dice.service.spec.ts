import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RandomModule } from '../random/random.module';
import { DiceModule } from './dice.module';
import { DiceService } from './dice.service';

function sequence(values: number[]): () => number {
  const queue = [...values];
  return () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('random sequence exhausted');
    return next;
  };
}

describe('DiceService', () => {
  it('maps [0, 1) onto the faces 1..6 in equal sixths', () => {
    const draws = [0, 0.1666, 1 / 6, 0.5, 0.8333, 5 / 6, 0.999999];
    const dice = new DiceService(sequence(draws));
    expect(draws.map(() => dice.roll())).toEqual([1, 1, 2, 4, 5, 6, 6]);
  });

  it('gets its random source from RandomModule through the RANDOM_SOURCE token', async () => {
    @Module({ imports: [RandomModule.forRoot(sequence([0.5, 0.01])), DiceModule] })
    class TestModule {}
    const context = await NestFactory.createApplicationContext(TestModule, { logger: false });
    try {
      const dice = context.get(DiceService);
      expect([dice.roll(), dice.roll()]).toEqual([4, 1]);
    } finally {
      await context.close();
    }
  });
});
