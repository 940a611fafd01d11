// The complete pouchdb-server 4.2.0 package (its own CLI entry: PouchDB 7, express-pouchdb with
// `_users`, `_session`, server admins, `_security`), in memory, for the basic auth tests. It
// keeps the contract of pouchdb_server.js so that PouchDbServer runs either.
//
// Usage: node pouchdb_server_auth.js --modules DIR [--port N]
//   DIR: the node_modules folder `scripts/install-couch-peers --auth` fills
//   (third_party/node-auth/node_modules). N: the port (default 0: a free one is picked).
// Environment: POUCHDB_SERVER_ADMIN=name:password makes `name` the server admin (set through
// PUT /_config/admins/name before the server is announced); unset, the server stays in "admin
// party".
//
// Its first stdout line is exactly "listening on http://127.0.0.1:PORT", printed once the server
// answers (and the admin is set). It exits with status 0 on SIGTERM or SIGINT and when its
// stdin reaches end of file; errors go to stderr with a non-zero exit. pouchdb-server's own log
// goes to a file in a scratch directory (removed on exit), never to stdout.
'use strict';

const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const peers = require('./peers');

const fail = (message) => peers.fail('pouchdb_server_auth', message);

// A port nobody listens on now (pouchdb-server announces the port it was given, so it needs a
// real one rather than 0).
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// One HTTP request to the server; resolves {status, body}.
function request(port, method, urlPath, body, auth) {
  return new Promise((resolve, reject) => {
    const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (auth) headers.Authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Resolves once the server answers GET / (retrying while the connection is refused).
async function answering(port) {
  for (;;) {
    try {
      return await request(port, 'GET', '/');
    } catch (err) {
      if (err.code !== 'ECONNREFUSED') throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function setAdmin(port, spec) {
  if (!spec) return;
  const colon = spec.indexOf(':');
  if (colon <= 0) fail('POUCHDB_SERVER_ADMIN must be name:password');
  const name = spec.slice(0, colon);
  const answer = await request(port, 'PUT', `/_config/admins/${encodeURIComponent(name)}`,
    JSON.stringify(spec.slice(colon + 1)));
  if (answer.status !== 200) fail(`setting the admin failed: HTTP ${answer.status}`);
}

async function main() {
  const load = peers.peersLoader('pouchdb_server_auth', process.argv, 'pouchdb-server');
  const entry = load.resolve('pouchdb-server');
  const scratch = peers.scratchUntilStopped('pouchdb-server-auth-');

  const port = peers.portOf('pouchdb_server_auth', process.argv) || (await freePort());
  process.chdir(scratch);  // its log.txt lands here
  // The log stays in its file: "--no-stdout-logs" on the command line would be read by its
  // option parser as "stdout-logs: false"... and ignored, so it goes in the config file.
  const config = path.join(scratch, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ pouchdb_server: { 'no-stdout-logs': true } }));
  process.argv = [process.argv[0], entry, '--port', String(port), '--host', '127.0.0.1',
    '--in-memory', '--dir', scratch, '--config', config];
  require(entry);  // pouchdb-server's CLI: parses process.argv and listens
  await answering(port);
  await setAdmin(port, process.env.POUCHDB_SERVER_ADMIN);
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
