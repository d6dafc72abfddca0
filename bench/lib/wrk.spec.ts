import { parseWrk } from './wrk';

const REPORT = `Running 8s test @ http://127.0.0.1:40000/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  420.50us  12.00ms   91.00%
    Req/Sec    29.10k     1.20k   31.00k    80.00%
  Latency Distribution
     50%  980.00us
     75%    1.20ms
     90%    1.50ms
     99%    2.75ms
  231456 requests in 8.00s, 40.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  28932.00
Transfer/sec:      5.01MB
`;

test('reads rate, count, percentiles in their units and every kind of error', () => {
  expect(parseWrk(REPORT)).toEqual({ rps: 28932, requests: 231456, p50Ms: 0.98, p99Ms: 2.75, errors: 7 });
});

test('a report without errors has none', () => {
  const clean = REPORT.replace(/ {2}Socket errors.*\n/, '').replace(/ {2}Non-2xx.*\n/, '');
  expect(parseWrk(clean).errors).toBe(0);
});

test('an unreadable report is an error, not a zero', () => {
  expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/unreadable report/);
});
