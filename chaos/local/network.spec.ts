import { assertLoopback, freePort } from './network';

describe('assertLoopback', () => {
  it.each(['http://127.0.0.1:8080', 'http://localhost:1', 'http://127.3.2.1', 'http://[::1]:9090'])(
    'accepts %s',
    (url) => {
      expect(assertLoopback(url).href).toContain(url.replace(/\/$/, ''));
    },
  );
  it.each(['http://10.0.0.1', 'http://192.168.1.1:80', 'https://example.com', 'http://128.0.0.1'])(
    'refuses %s',
    (url) => {
      expect(() => assertLoopback(url)).toThrow(/not a loopback address/);
    },
  );
  it('names a malformed URL', () => {
    expect(() => assertLoopback('nope', 'BASE_URL')).toThrow(/BASE_URL "nope" is not a URL/);
  });
});

test('freePort gives a usable port', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(1023);
});
