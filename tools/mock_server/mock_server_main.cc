#include "tools/mock_server/mock_server_main.h"

#include <cstdio>
#include <memory>

#include "tools/faults/server_main.h"

namespace syncagent::mock {

std::string MockServerUsage(const std::string& program) {
  return "usage: " + program +
         " [--port N] [--tls-cert FILE --tls-key FILE] [--token T] [--data FILE]\n"
         "       [--faults FILE] [--admin] [--max-body-bytes N]\n"
         "\n"
         "A syncagent/1 mock sync server on 127.0.0.1 (see docs/mock-server.md).\n"
         "  --port N            port to listen on (default 0: an ephemeral port)\n"
         "  --tls-cert FILE     PEM certificate: serve HTTPS (needs --tls-key)\n"
         "  --tls-key FILE      PEM private key for --tls-cert\n"
         "  --token T           require \"Authorization: Bearer T\" on /v1/*\n"
         "  --data FILE         persist state in this SQLite file (mode 0600)\n"
         "  --faults FILE       fault scenario JSON to start with\n"
         "  --admin             serve the /_admin/* test-control endpoints\n"
         "  --max-body-bytes N  larger request bodies get 413 (default 4194304)\n"
         "  --help              show this text\n"
         "The first line on stdout is \"listening on <base url>\". SIGINT/SIGTERM stop it.\n";
}

namespace {

// One flag that takes a value (the reader has checked the name).
Status ApplyMockServerFlag(const std::string& flag, const std::string& value,
                           MockServerOptions& options) {
  if (flag == "--port") {
    SYNCAGENT_ASSIGN_OR_RETURN(long long port, faults::ParseFlagNumber(flag, value, 0, 65535));
    options.port = static_cast<int>(port);
  } else if (flag == "--max-body-bytes") {
    SYNCAGENT_ASSIGN_OR_RETURN(long long bytes, faults::ParseFlagNumber(flag, value, 1, 1LL << 40));
    options.max_body_bytes = static_cast<size_t>(bytes);
  } else if (flag == "--tls-cert") {
    options.tls_cert_file = value;
  } else if (flag == "--tls-key") {
    options.tls_key_file = value;
  } else if (flag == "--token") {
    options.token = value;
  } else if (flag == "--data") {
    options.data_file = value;
  } else if (flag == "--faults") {
    SYNCAGENT_ASSIGN_OR_RETURN(options.faults, faults::LoadFaultScenarioFile(value));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<MockServerOptions> ParseMockServerFlags(const std::vector<std::string>& args, bool* help) {
  MockServerOptions options;
  *help = false;
  faults::FlagReader reader(
      args, {"--help", "-h", "--admin"},
      {"--port", "--tls-cert", "--tls-key", "--token", "--data", "--faults", "--max-body-bytes"});
  SYNCAGENT_RETURN_IF_ERROR(reader.ForEach([&](const std::string& flag, const std::string& value) {
    if (flag == "--help" || flag == "-h") {
      *help = true;
    } else if (flag == "--admin") {
      options.admin = true;
    } else {
      return ApplyMockServerFlag(flag, value, options);
    }
    return Status::Ok();
  }));
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgumentError("--tls-cert and --tls-key must be given together");
  }
  return options;
}

int MockServerMain(int argc, char** argv) {
  return faults::RunServerProgram<MockServerOptions>(
      argc, argv, "syncagent-mock-server", &ParseMockServerFlags, &MockServerUsage,
      [](MockServerOptions options) -> StatusOr<faults::Serving> {
        SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<MockServer> started,
                                   MockServer::Start(std::move(options)));
        std::shared_ptr<MockServer> server = std::move(started);
        return faults::Serving{server->base_url(), [server] { server->Stop(); }};
      });
}

}  // namespace syncagent::mock
