#include "tools/mock_server/mock_server_main.h"

#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <cstdio>

namespace syncagent::mock {
namespace {

StatusOr<long long> ParseNumber(const std::string& flag, const std::string& text, long long min,
                                long long max) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return InvalidArgumentError(flag + ": expected an integer in " + std::to_string(min) + ".." +
                                std::to_string(max) + ", got \"" + text + "\"");
  }
  return value;
}

}  // namespace

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

StatusOr<MockServerOptions> ParseMockServerFlags(const std::vector<std::string>& args, bool* help) {
  MockServerOptions options;
  *help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_inline_value = false;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline_value = true;
    }
    if (flag == "--help" || flag == "-h") {
      *help = true;
      continue;
    }
    if (flag == "--admin") {
      if (has_inline_value) return InvalidArgumentError("--admin takes no value");
      options.admin = true;
      continue;
    }
    const bool takes_value = flag == "--port" || flag == "--tls-cert" || flag == "--tls-key" ||
                             flag == "--token" || flag == "--data" || flag == "--faults" ||
                             flag == "--max-body-bytes";
    if (!takes_value) return InvalidArgumentError("unknown flag " + flag);
    if (!has_inline_value) {
      if (i + 1 >= args.size()) return InvalidArgumentError(flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--port") {
      SYNCAGENT_ASSIGN_OR_RETURN(long long port, ParseNumber(flag, value, 0, 65535));
      options.port = static_cast<int>(port);
    } else if (flag == "--max-body-bytes") {
      SYNCAGENT_ASSIGN_OR_RETURN(long long bytes, ParseNumber(flag, value, 1, 1LL << 40));
      options.max_body_bytes = static_cast<size_t>(bytes);
    } else if (value.empty()) {
      return InvalidArgumentError(flag + " needs a non-empty value");
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
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgumentError("--tls-cert and --tls-key must be given together");
  }
  return options;
}

int MockServerMain(int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "syncagent-mock-server";
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  bool help = false;
  StatusOr<MockServerOptions> options = ParseMockServerFlags(args, &help);
  if (!options.ok()) {
    std::fprintf(stderr, "%s: %s (try --help)\n", program.c_str(),
                 options.status().message().c_str());
    return 2;
  }
  if (help) {
    std::fputs(MockServerUsage(program).c_str(), stdout);
    return 0;
  }

  // Block the stop signals before any server thread exists, so only sigwait() sees them.
  sigset_t stop_signals, previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  StatusOr<std::unique_ptr<MockServer>> server = MockServer::Start(std::move(options).value());
  if (!server.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    std::fprintf(stderr, "%s: %s\n", program.c_str(), server.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on %s\n", (*server)->base_url().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->Stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

}  // namespace syncagent::mock
