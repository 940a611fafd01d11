// A second device for the CouchDB interop tests: PouchDB itself (pouchdb-core with the in-memory
// adapter, pouchdb-adapter-http and pouchdb-replication, as an offline-first app uses it), driven
// by the test one command at a time.
//
// Usage: node pouchdb_device.js --modules DIR
//   DIR: the node_modules folder scripts/install-couch-peers fills (third_party/node/node_modules).
//
// Protocol: one JSON command per line on stdin, one JSON answer per line on stdout, in order.
// The first line on stdout is exactly "ready". Every answer is {"ok": true, ...} or
// {"error": "message"}. Commands (the local database is "device", in memory):
//   {"op": "put", "id", "data"}     writes data (an object) on the document's winning revision
//                                   (creates it when it has none): {"rev"}
//   {"op": "delete", "id"}          deletes the winning revision: {"rev"}
//   {"op": "get", "id"}             {"data": object or null when absent/deleted, "rev",
//                                   "conflicts": [rev, ...]}
//   {"op": "put_many", "prefix", "count"}  creates documents prefix0..prefix(count-1) with
//                                   {"n": i}: {"count"}
//   {"op": "all"}                   every live document: {"docs": {id: data}, "conflicted": [id]}
//   {"op": "sync", "url"}           one-shot replication to and then from the database at `url`
//                                   (as PouchDB's replicate.to / replicate.from): {"pushed",
//                                   "pulled"} (docs written each way)
// It exits with status 0 when its stdin ends, or on SIGTERM.
'use strict';

const readline = require('readline');
const peers = require('./peers');

function dataOf(doc) {
  const data = {};
  for (const [name, value] of Object.entries(doc)) {
    if (!name.startsWith('_')) data[name] = value;
  }
  return data;
}

async function winner(db, id) {
  try {
    return await db.get(id, { conflicts: true });
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

function commands(db, PouchDB) {
  return {
    async put({ id, data }) {
      const current = await winner(db, id);
      const doc = Object.assign({}, data, { _id: id });
      if (current) doc._rev = current._rev;
      return { rev: (await db.put(doc)).rev };
    },
    async delete({ id }) {
      const current = await winner(db, id);
      if (!current) throw new Error(`no document ${id} to delete`);
      return { rev: (await db.remove(current)).rev };
    },
    async get({ id }) {
      const doc = await winner(db, id);
      if (!doc) return { data: null, rev: '', conflicts: [] };
      return { data: dataOf(doc), rev: doc._rev, conflicts: doc._conflicts || [] };
    },
    async put_many({ prefix, count }) {
      const docs = [];
      for (let i = 0; i < count; ++i) docs.push({ _id: `${prefix}${i}`, n: i });
      const results = await db.bulkDocs(docs);
      const failed = results.filter((r) => r.error);
      if (failed.length > 0) throw new Error(`put_many: ${JSON.stringify(failed[0])}`);
      return { count };
    },
    async all() {
      const result = await db.allDocs({ include_docs: true, conflicts: true });
      const docs = {};
      const conflicted = [];
      for (const row of result.rows) {
        docs[row.id] = dataOf(row.doc);
        if (row.doc._conflicts && row.doc._conflicts.length > 0) conflicted.push(row.id);
      }
      return { docs, conflicted };
    },
    async sync({ url }) {
      const remote = new PouchDB(url);
      const pushed = await db.replicate.to(remote);
      const pulled = await db.replicate.from(remote);
      await remote.close();
      return { pushed: pushed.docs_written, pulled: pulled.docs_written };
    },
  };
}

async function main() {
  const load = peers.peersLoader('pouchdb_device', process.argv, 'pouchdb-core');
  const PouchDB = load('pouchdb-core')
    .plugin(load('pouchdb-adapter-memory'))
    .plugin(load('pouchdb-adapter-http'))
    .plugin(load('pouchdb-replication'));
  const db = new PouchDB('device', { adapter: 'memory' });
  const handlers = commands(db, PouchDB);
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write('ready\n');
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let answer;
    try {
      const command = JSON.parse(line);
      const handler = handlers[command.op];
      if (!handler) throw new Error(`unknown op ${JSON.stringify(command.op)}`);
      answer = Object.assign({ ok: true }, await handler(command));
    } catch (err) {
      answer = { error: String(err && err.message ? err.message : err) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
  process.exit(0);
}

main().catch((err) => {
  peers.fail('pouchdb_device', err && err.stack ? err.stack : String(err));
});
