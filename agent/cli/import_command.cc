// `syncagent import COLLECTION FILE.jsonl`: local puts of the documents in a JSON Lines file, one
// {"key": "...", "data": {...}} per line (blank lines are skipped), queued for the next sync like
// any local write. Lines are written 1,000 per transaction; a bad line is exit 2 naming its line
// number, and nothing of its batch is stored (the batches before it are). The batch after the one
// being written is read and parsed meanwhile, on a helper thread.
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <system_error>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "common/json_limits.h"
#include "storage/validation.h"

namespace syncagent::cli {
namespace {

struct ImportFlags {
  std::string collection;
  std::string file;
};

constexpr size_t kBatch = 1000;

// One line as a put; the message says what is wrong with it.
StatusOr<WriteOp> ParseLine(const std::string& line, const std::string& collection) {
  const Status bad = InvalidArgumentError(
      "expected {\"key\": STRING, \"data\": OBJECT} with nothing else");
  // {"data": <document>} is one level deeper than the document.
  if (JsonTextDepth(line, kMaxDocumentDepth + 1) > kMaxDocumentDepth + 1) {
    return InvalidArgumentError("data: nested deeper than " + std::to_string(kMaxDocumentDepth) +
                                " levels (the document limit)");
  }
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("not JSON (or a number beyond a double): ") + e.what());
  }
  if (!value.is_object() || value.size() != 2 || !value.contains("key") ||
      !value.contains("data") || !value["key"].is_string()) {
    return bad;
  }
  if (!value["data"].is_object()) return InvalidArgumentError("data: expected a JSON object");
  const std::string key = value["key"].get<std::string>();
  SYNCAGENT_RETURN_IF_ERROR(ValidateDocumentId(collection, key));
  return WriteOp::Put(collection, key, std::move(value["data"]));
}

// Reads up to kBatch non-blank lines into *ops (their line numbers into *lines). False at the end
// of the file with nothing read.
StatusOr<bool> ReadBatch(std::istream& in, const std::string& collection, int64_t* line_number,
                         std::vector<WriteOp>* ops, std::vector<int64_t>* lines) {
  ops->clear();
  lines->clear();
  std::string line;
  while (ops->size() < kBatch && std::getline(in, line)) {
    ++*line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto op = ParseLine(line, collection);
    if (!op.ok()) return op.status().WithContext("line " + std::to_string(*line_number));
    ops->push_back(std::move(*op));
    lines->push_back(*line_number);
  }
  if (in.bad()) return IoError("read error: " + std::string(std::strerror(errno)));
  return !ops->empty();
}

// Store::Write names the failing write ("write #3: ..."): the message with its line instead.
std::string AtLine(const Status& status, const std::vector<int64_t>& lines) {
  const std::string& message = status.message();
  constexpr std::string_view kPrefix = "write #";
  size_t index = 0;
  if (message.rfind(kPrefix, 0) != 0) return message;
  const char* digits = message.data() + kPrefix.size();
  auto [end, ec] = std::from_chars(digits, message.data() + message.size(), index);
  if (ec != std::errc() || index >= lines.size()) return message;
  return "line " + std::to_string(lines[index]) + std::string(end, message.data() + message.size());
}

// One batch of lines read (ReadBatch's result).
struct Batch {
  int64_t first_line = 0;
  StatusOr<bool> more = false;
  std::vector<WriteOp> ops;
  std::vector<int64_t> lines;
};

int Import(CliContext& ctx, const ImportFlags& flags) {
  std::ifstream in(flags.file, std::ios::binary);
  if (!in) return ctx.Fail(kExitUsage, flags.file + ": cannot open: " + std::strerror(errno));
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  int64_t line_number = 0, stored = 0, transactions = 0;
  // Only one thread at a time reads: the batch after the one being written is read (parsed and
  // checked) on a helper thread meanwhile, and handed over when the write is done.
  auto read = [&in, &flags, &line_number] {
    Batch batch;
    batch.first_line = line_number + 1;
    batch.more = ReadBatch(in, flags.collection, &line_number, &batch.ops, &batch.lines);
    return batch;
  };
  Batch current = read();
  for (;;) {
    Status status = current.more.ok() && *current.more ? Status::Ok() : current.more.status();
    if (status.ok() && !*current.more) break;
    std::future<Batch> next;
    if (status.ok()) {
      try {
        next = std::async(std::launch::async, read);
      } catch (const std::system_error&) {
        // No thread to be had: the next batch is read after this one is written.
      }
      status = agent.Write(current.ops);
    }
    if (!status.ok()) {
      if (next.valid()) next.wait();  // the reader still uses `in` and `line_number`
      const int code = status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
      return ctx.Fail(code, flags.file + ": " + AtLine(status, current.lines) +
                                "; nothing from line " + std::to_string(current.first_line) +
                                " on was stored (" + std::to_string(stored) +
                                " documents before it were)");
    }
    stored += static_cast<int64_t>(current.ops.size());
    ++transactions;
    current = next.valid() ? next.get() : read();
  }
  ctx.console().Log(LogLevel::kInfo, "import " + flags.collection + ": " + std::to_string(stored) +
                                         " documents from " + flags.file + " in " +
                                         std::to_string(transactions) +
                                         " transactions, queued for the next sync");
  return kExitOk;
}

}  // namespace

void RegisterImportCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* sub = app.add_subcommand(
      "import",
      "Put the documents of a JSON Lines file locally, one {\"key\": ..., \"data\": {...}} per "
      "line, 1,000 per transaction (queued for the next sync). A bad line: exit 2, its line "
      "number named, nothing of its batch stored.");
  sub->add_option("COLLECTION", flags->collection, "collection name")->required();
  sub->add_option("FILE", flags->file, "the .jsonl file")->required();
  host.Bind(sub, "import", [&host, flags] { return Import(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
