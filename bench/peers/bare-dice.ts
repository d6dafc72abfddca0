// The floor every other server is measured against: the dice route on bare node:http,
// with no framework, metrics, tracing or logging.
import { createServer } from 'node:http';
import { randomInt } from 'node:crypto';

const port = Number(process.env.PORT ?? 8080);
createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ dice_value: randomInt(1, 7) }));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not_found"}');
  }
}).listen(port, '127.0.0.1');
