// What the node scripts of tests/couchdb/ share: failing with a message, and loading the npm
// peers from the folder named by --modules (scripts/install-couch-peers fills
// third_party/node/node_modules).
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

// Writes "<script>: message" on stderr and exits with status 2.
function fail(script, message) {
  process.stderr.write(`${script}: ${message}\n`);
  process.exit(2);
}

// A require() for the peers in the --modules folder of `argv`; fails (naming the install script)
// when the folder lacks `required`.
function peersLoader(script, argv, required) {
  const at = argv.indexOf('--modules');
  if (at < 0 || at + 1 >= argv.length) fail(script, `usage: node ${script}.js --modules DIR`);
  const dir = path.resolve(argv[at + 1]);
  if (!fs.existsSync(path.join(dir, required))) {
    fail(script, `${dir} has no ${required}; run scripts/install-couch-peers`);
  }
  return createRequire(path.join(dir, 'package.json'));
}

// The --port of `argv` (0 when absent: one the OS picks); fails unless it is 0 to 65535.
function portOf(script, argv) {
  const at = argv.indexOf('--port');
  if (at < 0) return 0;
  const port = Number(argv[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(script, '--port needs 0 to 65535');
  return port;
}

// A scratch directory (under the system's temp dir, named `prefix`XXXXXX) that is removed when
// the process stops: on SIGTERM, SIGINT or the end of its stdin (the process that started it is
// gone), each of which exits with status 0.
function scratchUntilStopped(prefix) {
  const fs = require('fs');
  const os = require('os');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const stop = () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  return scratch;
}

module.exports = { fail, peersLoader, portOf, scratchUntilStopped };
