#include "storage/db_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace syncagent {

namespace {

constexpr char kSqliteHeader[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                    'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

Status ErrnoStatus(int err, const std::string& path, const char* what) {
  std::string message = path + ": " + what + ": " + std::strerror(err);
  if (err == EACCES || err == EPERM || err == EROFS) return PermissionDeniedError(message);
  return IoError(message);
}

// Closes a descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Removes group/other permission bits from an existing file; a missing file is fine.
Status TightenMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus(errno, path, "cannot stat");
  }
  if ((st.st_mode & 077) == 0) return Status::Ok();
  if (::chmod(path.c_str(), st.st_mode & 0600) != 0) {
    return ErrnoStatus(errno, path, "cannot restrict permissions to owner-only");
  }
  return Status::Ok();
}

}  // namespace

Status PrepareDatabaseFile(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("database path is empty");
  const int created = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (created >= 0) {
    FdCloser closer{created};
    // The umask may have removed bits; make the mode exactly 0600.
    if (::fchmod(created, 0600) != 0) return ErrnoStatus(errno, path, "cannot set mode 0600");
    return Status::Ok();
  }
  if (errno != EEXIST) return ErrnoStatus(errno, path, "cannot create database file");

  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, path, "cannot stat");
  if (!S_ISREG(st.st_mode)) {
    return FailedPreconditionError(path + ": not a regular file, cannot be a SQLite database");
  }
  SYNCAGENT_RETURN_IF_ERROR(TightenMode(path));
  SYNCAGENT_RETURN_IF_ERROR(TightenMode(path + "-wal"));
  SYNCAGENT_RETURN_IF_ERROR(TightenMode(path + "-shm"));
  if (st.st_size == 0) return Status::Ok();

  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path, "cannot open for reading");
  FdCloser closer{fd};
  char header[sizeof(kSqliteHeader)];
  const ssize_t got = ::pread(fd, header, sizeof(header), 0);
  if (got < 0) return ErrnoStatus(errno, path, "cannot read header");
  if (static_cast<size_t>(got) < sizeof(header) ||
      std::memcmp(header, kSqliteHeader, sizeof(header)) != 0) {
    return DataLossError(path +
                         ": file is not a SQLite database (bad header); it was left untouched");
  }
  return Status::Ok();
}

}  // namespace syncagent
