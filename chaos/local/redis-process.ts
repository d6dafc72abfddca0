// A throwaway redis-server on a free loopback port, for the fault sync of `roque run
// --replicas` and the fault propagation tests: no persistence, no other clients, guarded like
// the app (the watchdog stops it if this process dies), stopped (and waited for) by its starter.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { foundTools } from '../tools';
import { freePort } from './network';
import { startProcess } from './processes';

export interface RedisProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** redis-server as `chaos/setup/setup.mjs --tests` found it (ROQUE_REDIS_SERVER wins), else on PATH. */
export function redisServerPath(): string | undefined {
  if (process.env.ROQUE_REDIS_SERVER) return process.env.ROQUE_REDIS_SERVER;
  const found = foundTools().redisServer;
  if (found && existsSync(found)) return found;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export async function startRedis(port?: number): Promise<RedisProcess> {
  const binary = redisServerPath();
  if (!binary)
    throw new Error('redis-server is missing: run `node chaos/setup/setup.mjs --tests` (Debian package redis-server)');
  const chosen = port ?? (await freePort());
  const redis = await startProcess(
    `redis-server on 127.0.0.1:${chosen}`,
    [
      binary,
      ...[
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
      ],
    ],
    { output: { keepChars: 20_000 }, ready: () => accepts(chosen), readyTimeoutMs: 5_000 },
  );
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    child: redis.child,
    output: redis.output,
    stop: async () => void (await redis.stop()),
  };
}
