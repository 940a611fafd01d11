// PouchDB 9 on Node as the bench's reference client (bench/couchdb_bench): one replication of a
// CouchDB database, timed, in this process.
//
// Usage: node pouchdb_bench.js --modules DIR --op pull|push|seed|floor|export --url DB_URL --count N
//                              [--adapter leveldb|memory] [--batch B] [--dir SCRATCH]
//   pull: replicate.from(DB_URL) into an empty local database (batch_size B);
//   push: writes N documents into an empty local database (not timed), then replicate.to(DB_URL)
//         (batch_size B);
//   seed: writes N documents straight into DB_URL with _bulk_docs (5,000 a request); no timing;
//   floor: writes into SCRATCH the request bodies of a push of N new documents in batches of B
//         as syncagent makes them for a first upload (per batch: one _bulk_docs new_edits:false
//         with revision ids and _revisions; new roots need no _revs_diff on a first attempt and
//         no _all_docs read, docs/couchdb.md) and SCRATCH/curl.cfg, a curl config that sends
//         them all in order on one connection;
//   export: prints the N documents as JSON Lines for `syncagent import` ({"key", "data"}).
// The documents: _id "doc-000000".., {"title", "body", "n", "tags"}, about 200 bytes of JSON.
// Prints one JSON line: {"op","adapter","batch","docs","seconds","docs_per_s","max_rss_mb",
// "cpu_s"} (max_rss_mb: the process's peak resident set, from process.resourceUsage()).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { createRequire } = require('module');

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0 || at + 1 >= process.argv.length) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  return process.argv[at + 1];
}

function doc(i) {
  const id = `doc-${String(i).padStart(6, '0')}`;
  return {
    _id: id,
    title: `Note ${i}`,
    body: `Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor ${i} ` +
      'incididunt ut labore et dolore magna aliqua.',
    n: i,
    tags: ['bench', `t${i % 10}`],
  };
}

async function seed(url, count) {
  for (let start = 0; start < count; start += 5000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 5000); ++i) docs.push(doc(i));
    const answer = await fetch(`${url}/_bulk_docs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ docs }),
    });
    if (!answer.ok) throw new Error(`seed: HTTP ${answer.status}`);
  }
}

function floor(url, count, batch, dir) {
  const crypto = require('crypto');
  const lines = [];
  const request = (name, target, body) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(body));
    if (lines.length > 0) lines.push('next');
    lines.push(`url = "${url}${target}"`, `data-binary = "@${file}"`,
      'header = "Content-Type: application/json"', 'header = "Accept: application/json"',
      'output = "/dev/null"', 'fail');
  };
  for (let start = 0, k = 0; start < count; start += batch, ++k) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + batch); ++i) {
      const d = doc(i);
      const hash = crypto.createHash('md5').update(JSON.stringify(d)).digest('hex');
      docs.push(Object.assign(d, { _rev: `1-${hash}`, _revisions: { start: 1, ids: [hash] } }));
    }
    request(`b${k}-bulk.json`, '/_bulk_docs', { docs, new_edits: false });
  }
  fs.writeFileSync(path.join(dir, 'curl.cfg'), lines.join('\n') + '\n');
}

async function main() {
  const load = createRequire(path.join(path.resolve(arg('modules')), 'package.json'));
  const op = arg('op');
  const url = arg('url');
  const count = Number(arg('count'));
  if (op === 'floor') {
    floor(url, count, Number(arg('batch', '1000')), arg('dir'));
    return;
  }
  if (op === 'export') {
    const lines = [];
    for (let i = 0; i < count; ++i) {
      const { _id, ...data } = doc(i);
      lines.push(JSON.stringify({ key: _id, data }));
    }
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  if (op === 'seed') {
    await seed(url, count);
    process.stdout.write(JSON.stringify({ op, docs: count }) + '\n');
    return;
  }
  const adapter = arg('adapter', 'leveldb');
  const batch = Number(arg('batch', '100'));
  const scratch = fs.mkdtempSync(path.join(arg('dir', os.tmpdir()), 'pouchdb-bench-'));
  const PouchDB = load('pouchdb-core')
    .plugin(load(`pouchdb-adapter-${adapter}`))
    .plugin(load('pouchdb-adapter-http'))
    .plugin(load('pouchdb-replication'));
  const local = new PouchDB(path.join(scratch, 'local'), { adapter });
  const remote = new PouchDB(url);
  try {
    if (op === 'push') {
      for (let start = 0; start < count; start += 5000) {
        const docs = [];
        for (let i = start; i < Math.min(count, start + 5000); ++i) docs.push(doc(i));
        await local.bulkDocs(docs);
      }
    }
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const result = op === 'push'
      ? await local.replicate.to(remote, { batch_size: batch })
      : await local.replicate.from(remote, { batch_size: batch });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    if (result.docs_written !== count) {
      throw new Error(`${op}: wrote ${result.docs_written} documents, expected ${count}`);
    }
    process.stdout.write(JSON.stringify({
      op, adapter, batch, docs: count, seconds: Number(seconds.toFixed(3)),
      docs_per_s: Math.round(count / seconds),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    }) + '\n');
  } finally {
    await local.destroy().catch(() => {});
    await remote.close().catch(() => {});
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`pouchdb_bench: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
