// The framework alone: the dice route on bare Fastify, without Nest or any of Roque's layers.
import Fastify from 'fastify';
import { randomInt } from 'node:crypto';

const app = Fastify();
app.get('/', async () => ({ dice_value: randomInt(1, 7) }));
void app.listen({ port: Number(process.env.PORT ?? 8080), host: '127.0.0.1' });
