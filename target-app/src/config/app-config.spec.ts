import { parseConfig } from './app-config';

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const result = parseConfig({});
    expect(result.ok && result.config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      appVersion: 'dev',
      logLevel: 'info',
      adminToken: undefined,
      adminEnabled: false,
      memoryCapMb: 512,
      maxFaults: 100,
      maxTotalDelayMs: 60_000,
      adminBodyLimitBytes: 16_384,
      shutdownReadinessDelayMs: 0,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads every variable, the seed-style upper-case LOG_LEVEL included', () => {
    const result = parseConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      APP_VERSION: '1.4.0',
      LOG_LEVEL: 'WARN',
      CHAOS_ADMIN_TOKEN: 's3cret',
      CHAOS_MEMORY_CAP_MB: '64',
    });
    expect(result.ok && result.config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      appVersion: '1.4.0',
      logLevel: 'warn',
      adminEnabled: true,
      memoryCapMb: 64,
    });
  });

  it('treats empty values as unset', () => {
    const result = parseConfig({ PORT: '', CHAOS_ADMIN_TOKEN: '' });
    expect(result.ok && result.config).toMatchObject({ port: 8080, adminEnabled: false });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', 'loud'],
    ['CHAOS_MEMORY_CAP_MB', '0'],
    ['CHAOS_MAX_FAULTS', '0'],
    ['CHAOS_MAX_DELAY_MS', '-5'],
    ['SHUTDOWN_TIMEOUT_MS', '-1'],
  ])('rejects %s=%s with one line naming the variable', (variable, value) => {
    const result = parseConfig({ [variable]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(variable);
    expect(result.message).not.toContain('\n');
  });

  it('serves the admin API on its own port only with both ADMIN_PORT and a token', () => {
    const own = parseConfig({ CHAOS_ADMIN_TOKEN: 't', ADMIN_PORT: '9001' });
    expect(own.ok && own.config).toMatchObject({
      adminPort: 9001,
      adminHost: '127.0.0.1',
      adminOnOwnPort: true,
      adminAuthFailuresPerMinute: 20,
    });
    const noToken = parseConfig({ ADMIN_PORT: '9001' });
    expect(noToken.ok && noToken.config.adminOnOwnPort).toBe(false);
    const unset = parseConfig({ CHAOS_ADMIN_TOKEN: 't' });
    expect(unset.ok && unset.config).toMatchObject({ adminPort: undefined, adminOnOwnPort: false });
    const bad = parseConfig({ ADMIN_PORT: 'abc' });
    expect(!bad.ok && bad.message).toContain('ADMIN_PORT');
  });

  it('never repeats the admin token in a message', () => {
    const result = parseConfig({ CHAOS_ADMIN_TOKEN: 'do-not-print-me', PORT: 'abc' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).not.toContain('do-not-print-me');
  });
});
