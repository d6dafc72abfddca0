// The service's entry point: `node --import ./dist/target-app/src/tracing.js dist/target-app/src/main.js`.
import { Logger } from '@nestjs/common';
import { createAdminApp, createApp } from './app.factory';
import { parseConfig } from './config/app-config';
import { KeepAliveDrain } from './keep-alive-drain';

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    process.exit(1);
  }
  const config = parsed.config;
  const app = await createApp(config);
  // On SIGTERM/SIGINT: answers say `Connection: close`, readiness turns 503, in-flight
  // requests finish, exit 0; the timer bounds the whole sequence.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.get(KeepAliveDrain).start();
      setTimeout(() => {
        process.stderr.write(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
    });
  }
  // The admin listener is not closed on a signal: it lives until the process exits, after
  // the public port has drained, so faults can still be cleared while requests finish.
  const adminApp = config.adminOnOwnPort ? await createAdminApp(config, app) : null;
  await adminApp?.listen(config.adminPort!, config.adminHost);
  await app.listen(config.port, config.host);
  // The real address (PORT=0 picks a free port): tools that start the app read it here.
  if (adminApp) Logger.log(`admin API listening on ${await adminApp.getUrl()}`, 'Bootstrap');
  Logger.log(`listening on ${await app.getUrl()}`, 'Bootstrap');
}

main().catch((error: unknown) => {
  process.stderr.write(`dice-api failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
