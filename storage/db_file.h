// Filesystem preparation of the database file, done before SQLite ever opens it.
//
// - A missing file is created owner-only with open(O_CREAT|O_EXCL, 0600), so there is no window
//   in which SQLite could create it with the process umask. SQLite gives the -wal and -shm files
//   the mode of the database file, so they are owner-only too.
// - An existing file (and existing -wal/-shm files) is tightened: group/other bits are removed
//   (mode & 0600; a 0400 file stays 0400 — write access is never added).
// - The first 16 bytes are read and compared with the SQLite header, so a text file or random
//   bytes fail with kDataLoss "... is not a SQLite database" and are never modified.
//
// Thread safety: free functions; safe from any thread.
#ifndef SYNCAGENT_STORAGE_DB_FILE_H_
#define SYNCAGENT_STORAGE_DB_FILE_H_

#include <string>

#include "syncagent/status.h"

namespace syncagent {

// Creates or tightens `path` as described above and checks its header (an empty file is a
// valid new database). Errors name the path: kPermissionDenied (EACCES/EPERM/EROFS), kDataLoss
// (bad header), kFailedPrecondition (not a regular file), kIoError (anything else).
Status PrepareDatabaseFile(const std::string& path);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_DB_FILE_H_
