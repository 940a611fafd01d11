#include "tools/fault_proxy/fault_proxy_main.h"

#include <cstdio>
#include <memory>

#include "tools/faults/server_main.h"

namespace syncagent::faults {
namespace {

Status ApplyFlag(const std::string& flag, const std::string& value, FaultProxyOptions& options) {
  if (flag == "--upstream") {
    SYNCAGENT_RETURN_IF_ERROR(ParseUpstreamUrl(flag, value).status());
    options.upstream = value;
  } else if (flag == "--port") {
    SYNCAGENT_ASSIGN_OR_RETURN(long long port, ParseFlagNumber(flag, value, 0, 65535));
    options.port = static_cast<int>(port);
  } else if (flag == "--max-body-bytes") {
    SYNCAGENT_ASSIGN_OR_RETURN(long long bytes, ParseFlagNumber(flag, value, 1, 1LL << 40));
    options.max_body_bytes = static_cast<size_t>(bytes);
  } else if (flag == "--error-body") {
    std::optional<ErrorStyle> style = ParseErrorStyle(value);
    if (!style) {
      return InvalidArgumentError("--error-body: expected syncagent or couchdb, got \"" + value +
                                  "\"");
    }
    options.error_style = *style;
  } else if (flag == "--tls-cert") {
    options.tls_cert_file = value;
  } else if (flag == "--tls-key") {
    options.tls_key_file = value;
  } else if (flag == "--upstream-ca") {
    options.upstream_ca_file = value;
  } else if (flag == "--faults") {
    SYNCAGENT_ASSIGN_OR_RETURN(options.faults, LoadFaultScenarioFile(value));
  }
  return Status::Ok();
}

}  // namespace

std::string FaultProxyUsage(const std::string& program) {
  return "usage: " + program +
         " --upstream URL [--port N] [--faults FILE] [--admin]\n"
         "       [--tls-cert FILE --tls-key FILE] [--upstream-ca FILE]\n"
         "       [--error-body syncagent|couchdb] [--max-body-bytes N]\n"
         "\n"
         "An HTTP/1.1 reverse proxy on 127.0.0.1 that injects faults in front of any server\n"
         "(see docs/fault-proxy.md; the scenario format is docs/mock-server.md's).\n"
         "  --upstream URL       the server to forward to: http(s)://HOST:PORT[/BASE-PATH]\n"
         "  --port N             port to listen on (default 0: an ephemeral port)\n"
         "  --faults FILE        fault scenario JSON to start with\n"
         "  --admin              serve /_admin/faults, /_admin/requests and /_admin/stats\n"
         "  --tls-cert FILE      PEM certificate: serve HTTPS (needs --tls-key)\n"
         "  --tls-key FILE       PEM private key for --tls-cert\n"
         "  --upstream-ca FILE   PEM CA bundle to verify an https upstream (default: system)\n"
         "  --error-body STYLE   body of injected errors and of 502: syncagent (default) or\n"
         "                       couchdb\n"
         "  --max-body-bytes N   larger request bodies get 413 (default 67108864)\n"
         "  --help               show this text\n"
         "The first line on stdout is \"listening on <base url>\". SIGINT/SIGTERM stop it.\n";
}

StatusOr<FaultProxyOptions> ParseFaultProxyFlags(const std::vector<std::string>& args, bool* help) {
  FaultProxyOptions options;
  *help = false;
  FlagReader reader(args, {"--help", "-h", "--admin"},
                    {"--upstream", "--port", "--faults", "--tls-cert", "--tls-key", "--upstream-ca",
                     "--error-body", "--max-body-bytes"});
  SYNCAGENT_RETURN_IF_ERROR(reader.ForEach([&](const std::string& flag, const std::string& value) {
    if (flag == "--help" || flag == "-h") {
      *help = true;
    } else if (flag == "--admin") {
      options.admin = true;
    } else {
      return ApplyFlag(flag, value, options);
    }
    return Status::Ok();
  }));
  if (*help) return options;
  if (options.upstream.empty()) return InvalidArgumentError("--upstream URL is required");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgumentError("--tls-cert and --tls-key must be given together");
  }
  return options;
}

int FaultProxyMain(int argc, char** argv) {
  return RunServerProgram<FaultProxyOptions>(
      argc, argv, "syncagent-fault-proxy", &ParseFaultProxyFlags, &FaultProxyUsage,
      [](FaultProxyOptions options) -> StatusOr<Serving> {
        options.log = [](std::string_view line) {
          std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
          std::fflush(stderr);
        };
        SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<FaultProxy> started,
                                   FaultProxy::Start(std::move(options)));
        std::shared_ptr<FaultProxy> proxy = std::move(started);
        return Serving{proxy->base_url(), [proxy] { proxy->Stop(); }};
      });
}

}  // namespace syncagent::faults
