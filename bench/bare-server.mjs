// The baseline: plain node:http answering a fixed JSON body from memory (GET) and parsing the same
// JSON body a create sends (POST). Run as its own process; prints its URL.
import http from 'node:http';

const body = process.env.BARE_BODY ?? '{}';
const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      JSON.parse(data);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
