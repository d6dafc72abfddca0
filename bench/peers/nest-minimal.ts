// The adapter question alone: the dice route in a bare NestJS app on Fastify or Express
// (ADAPTER=fastify|express), without Roque's metrics, faults, logging or tracing.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomInt } from 'node:crypto';

@Controller()
class DiceController {
  @Get()
  roll(): { dice_value: number } {
    return { dice_value: randomInt(1, 7) };
  }
}

@Module({ controllers: [DiceController] })
class DiceOnlyModule {}

async function main(): Promise<void> {
  const adapter = process.env.ADAPTER === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(DiceOnlyModule, adapter, { logger: false });
  await app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
}

void main();
