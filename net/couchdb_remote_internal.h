// Internal to CouchdbRemote (net/couchdb_remote.h), whose member functions are defined in three
// files: net/couchdb_remote.cc (construction, requests, fetch, failures), net/couchdb_push.cc
// (push) and net/couchdb_pull.cc (pull, checkpoints). This header holds what more than one of
// them needs, once (the project builds in unity batches, where two file-local functions of the
// same name in one target collide). Only those three files may include it.
//
// Thread safety: stateless helpers; the decoder Into() returns writes only the `out` it was given
// (which must outlive it), so it is as thread-safe as that object.
#ifndef SYNCAGENT_NET_COUCHDB_REMOTE_INTERNAL_H_
#define SYNCAGENT_NET_COUCHDB_REMOTE_INTERNAL_H_

#include <functional>
#include <string_view>
#include <utility>

#include "syncagent/status.h"

namespace syncagent::couchdb_internal {

// A decoder for Call() that parses the body with `parse` into `*out`.
template <typename T, typename Parse>
std::function<Status(std::string_view)> Into(T* out, Parse parse) {
  return [out, parse](std::string_view body) -> Status {
    auto parsed = parse(body);
    if (!parsed.ok()) return parsed.status();
    *out = std::move(parsed).value();
    return Status::Ok();
  };
}

}  // namespace syncagent::couchdb_internal

#endif  // SYNCAGENT_NET_COUCHDB_REMOTE_INTERNAL_H_
