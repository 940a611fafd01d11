// A PouchDB Server for the CouchDB tests: express + express-pouchdb (its full CouchDB mode) over
// pouchdb-core with the in-memory adapter, so every start is an empty server and a restart
// loses everything (like an in-memory `pouchdb-server --in-memory`).
//
// Usage: node pouchdb_server.js --modules DIR [--port N]
//   DIR: the node_modules folder scripts/install-couch-peers fills (third_party/node/node_modules).
//   N: the port to listen on (default 0: one the OS picks), e.g. to come back where a stopped
//   server was.
// Environment: POUCHDB_SERVER_ADMIN=name:password makes `name` the server admin (the server then
// leaves "admin party"); unset, everyone is admin.
//
// It listens on 127.0.0.1 and prints exactly
// "listening on http://127.0.0.1:PORT" as its first line on stdout. It exits with status 0 on
// SIGTERM or SIGINT, and also when its stdin reaches end of file (the process that started it is
// gone). Errors go to stderr with a non-zero exit.
'use strict';

const path = require('path');
const peers = require('./peers');

const fail = (message) => peers.fail('pouchdb_server', message);

function buildApp(load, scratch) {
  const PouchDB = load('pouchdb-core')
    .plugin(load('pouchdb-adapter-memory'))
    .plugin(load('pouchdb-adapter-http'))
    .plugin(load('pouchdb-mapreduce'))
    .plugin(load('pouchdb-replication'))
    .defaults({ adapter: 'memory' });
  return load('express-pouchdb')(PouchDB, {
    mode: 'fullCouchDB',
    inMemoryConfig: true,
    logPath: path.join(scratch, 'log.txt'),
  });
}

function setAdmin(app, spec) {
  if (!spec) return Promise.resolve();
  const colon = spec.indexOf(':');
  if (colon <= 0) fail('POUCHDB_SERVER_ADMIN must be name:password');
  const name = spec.slice(0, colon);
  const password = spec.slice(colon + 1);
  return new Promise((resolve, reject) => {
    app.couchConfig.set('admins', name, password, (err) => (err ? reject(err) : resolve()));
  });
}

function main() {
  const load = peers.peersLoader('pouchdb_server', process.argv, 'express-pouchdb');
  const express = load('express');
  const scratch = peers.scratchUntilStopped('pouchdb-server-');

  const pouch = buildApp(load, scratch);
  setAdmin(pouch, process.env.POUCHDB_SERVER_ADMIN)
    .then(() => {
      const app = express();
      app.use('/', pouch);
      const server = app.listen(peers.portOf('pouchdb_server', process.argv), '127.0.0.1', () => {
        process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
      });
      server.on('error', (err) => fail(`cannot listen: ${err.message}`));
    })
    .catch((err) => fail(`cannot start: ${err && err.message ? err.message : err}`));
}

main();
