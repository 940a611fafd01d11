// Transport + codec benchmark (issue: wire protocol and transport).
//
//  1. Pull N documents of ~200 bytes from the mock server over loopback through CurlHttpClient +
//     SyncClient + ProtocolCodec (decode included), beside a bare libcurl loop fetching the very
//     same pages (same connection reuse, same Accept-Encoding), in the same run. Reports
//     documents/s for both and the ratio (target: <= 2, i.e. decoding costs less than the
//     transfer itself).
//  2. Cancellation latency: a transfer hanging on the server is cancelled from another thread;
//     reports the time from Cancel() to the call returning (target: < 100 ms).
//
// The server is the syncagent-mock-server executable in its own process (as a real server would
// be; bench_process.h), so its work does not share the benchmark's allocator or cores' accounting.
//
// Usage: net_bench [--docs N] [--runs R] [--json FILE] [--server PATH]
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"
#include "net/curl_http_client.h"
#include "net/sync_client.h"
#include "platform/cancel_token.h"

namespace syncagent::bench {
namespace {

using Seconds = std::chrono::duration<double>;

void Seed(const std::string& base_url, int docs) {
  RealClock clock;
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;
  auto http = CurlHttpClient::Create(options, &clock);
  SyncClientOptions sync_options;
  sync_options.base_url = base_url;
  SyncClient client(http->get(), &clock, nullptr, sync_options, 1);
  const std::string filler(120, 'x');
  for (int start = 0; start < docs; start += 1000) {
    PushRequest request;
    request.client_id = "seed";
    request.batch_id = "seed-" + std::to_string(start);
    for (int i = start; i < std::min(docs, start + 1000); ++i) {
      WireMutation m;
      m.mutation_id = "seed-" + std::to_string(i);
      m.seq = i + 1;
      m.collection = "notes";
      m.key = "note-" + std::to_string(i);
      m.data = {{"title", "Note " + std::to_string(i)}, {"n", i}, {"body", filler}};
      m.hlc = "000001767225600000-00000000-seed";
      request.mutations.push_back(std::move(m));
    }
    auto pushed = client.Push(request, {});
    if (!pushed.ok()) {
      std::fprintf(stderr, "seeding failed: %s\n", pushed.status().ToString().c_str());
      std::exit(1);
    }
  }
}

size_t Append(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// Bare libcurl: the same pages, cursor extracted with a string search, nothing decoded.
double BareLoop(const std::string& base_url, int expected_docs, int64_t* bytes) {
  CURL* easy = curl_easy_init();
  std::string body, cursor;
  int pages = 0;
  *bytes = 0;
  const double start = Now();
  for (;;) {
    std::string url = base_url + "/v1/pull?limit=1000";
    if (!cursor.empty()) url += "&cursor=" + UrlEncode(cursor);
    body.clear();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    if (curl_easy_perform(easy) != CURLE_OK) {
      std::fprintf(stderr, "bare transfer failed\n");
      std::exit(1);
    }
    *bytes += static_cast<int64_t>(body.size());
    ++pages;
    const char* key = "\"cursor\":\"";
    size_t at = body.find(key);
    size_t end = body.find('"', at + std::strlen(key));
    cursor = body.substr(at + std::strlen(key), end - at - std::strlen(key));
    if (body.find("\"has_more\":true") == std::string::npos) break;
  }
  const double took = Now() - start;
  curl_easy_cleanup(easy);
  if (pages < expected_docs / 1000) std::fprintf(stderr, "bare loop saw too few pages\n");
  return took;
}

double ClientLoop(const std::string& base_url, int expected_docs) {
  RealClock clock;
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;
  options.max_response_bytes = 64 << 20;
  auto http = CurlHttpClient::Create(options, &clock);
  SyncClientOptions sync_options;
  sync_options.base_url = base_url;
  SyncClient client(http->get(), &clock, nullptr, sync_options, 1);
  PullRequest request;
  request.limit = 1000;
  int docs = 0;
  int64_t checksum = 0;
  const double start = Now();
  for (;;) {
    auto page = client.Pull(request, {});
    if (!page.ok()) {
      std::fprintf(stderr, "pull failed: %s\n", page.status().ToString().c_str());
      std::exit(1);
    }
    for (const WireChange& c : page->changes) checksum += c.document.version;
    docs += static_cast<int>(page->changes.size());
    request.cursor = page->cursor;
    if (!page->has_more) break;
  }
  const double took = Now() - start;
  if (docs != expected_docs || checksum != expected_docs) {
    std::fprintf(stderr, "client loop saw %d documents, expected %d\n", docs, expected_docs);
    std::exit(1);
  }
  return took;
}

std::vector<double> CancelLatencies(const std::string& base_url, int runs) {
  RealClock clock;
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;
  auto http = CurlHttpClient::Create(options, &clock);
  HttpRequest set_fault;
  set_fault.method = "POST";
  set_fault.url = base_url + "/_admin/faults";
  set_fault.headers = {{"Content-Type", "application/json"}};
  set_fault.body = R"({"faults":[{"match":{"method":"GET","path":"/v1/pull","times":-1},)"
                   R"("action":{"kind":"hang","max_ms":10000}}]})";
  auto installed = (*http)->Send(set_fault, {});
  if (!installed.ok() || installed->status != 200) {
    std::fprintf(stderr, "could not install the hang fault\n");
    std::exit(1);
  }
  std::vector<double> latencies;
  for (int i = 0; i < runs; ++i) {
    CancelToken cancel;
    std::atomic<double> cancelled_at{0};
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + 7 * i));
      cancelled_at = Now();
      cancel.Cancel("benchmark");
    });
    HttpRequest req;
    req.url = base_url + "/v1/pull";
    auto result = (*http)->Send(req, {std::nullopt, &cancel});
    const double returned = Now();
    canceller.join();
    if (result.ok() || result.status().code() != StatusCode::kCancelled) {
      std::fprintf(stderr, "cancel run %d did not end cancelled\n", i);
      std::exit(1);
    }
    latencies.push_back((returned - cancelled_at.load()) * 1000.0);
  }
  std::sort(latencies.begin(), latencies.end());
  return latencies;
}

int Main(int argc, char** argv) {
  int docs = 100000, runs = 3;
  std::string json_out;
  std::string server_path = SYNCAGENT_MOCK_SERVER_BINARY;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--docs" && i + 1 < argc) docs = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--json" && i + 1 < argc) json_out = argv[++i];
    else if (a == "--server" && i + 1 < argc) server_path = argv[++i];
    else {
      std::fprintf(stderr, "usage: net_bench [--docs N] [--runs R] [--json FILE] [--server PATH]\n");
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  ServerProcess server;
  // A free port, the admin API (the cancellation runs install a hang fault through it) and a
  // 64 MiB request-body limit.
  if (!server.Start(server_path, {"--port", "0", "--admin", "--max-body-bytes", "67108864"})) {
    std::fprintf(stderr, "could not start %s\n", server_path.c_str());
    return 1;
  }
  const std::string base = server.base_url();
  Seed(base, docs);
  std::vector<double> bare, ours;
  int64_t bytes = 0;
  BareLoop(base, docs, &bytes);  // warm-up
  ClientLoop(base, docs);
  for (int r = 0; r < runs; ++r) {
    bare.push_back(BareLoop(base, docs, &bytes));
    ours.push_back(ClientLoop(base, docs));
  }
  std::sort(bare.begin(), bare.end());
  std::sort(ours.begin(), ours.end());
  const double bare_s = bare[bare.size() / 2], ours_s = ours[ours.size() / 2];
  auto cancel = CancelLatencies(base, 20);
  const double cancel_p50 = cancel[cancel.size() / 2], cancel_max = cancel.back();

  std::printf("pull %d docs (~200 B each, %d pages of 1000, %.1f MB decoded JSON), median of %d runs\n",
              docs, (docs + 999) / 1000, static_cast<double>(bytes) / 1e6, runs);
  std::printf("  %-40s %10.0f docs/s  (%.3f s)\n", "bare libcurl loop (floor)", docs / bare_s, bare_s);
  std::printf("  %-40s %10.0f docs/s  (%.3f s)\n", "CurlHttpClient + SyncClient + codec", docs / ours_s, ours_s);
  std::printf("  %-40s %10.2f        (target <= 2)\n", "ratio (ours / floor)", ours_s / bare_s);
  std::printf("cancellation latency over %zu runs: p50 %.1f ms, max %.1f ms (target < 100 ms)\n",
              cancel.size(), cancel_p50, cancel_max);
  if (!json_out.empty()) {
    nlohmann::json j = {{"pull_docs", docs},
                        {"bare_docs_per_s", docs / bare_s},
                        {"client_docs_per_s", docs / ours_s},
                        {"ratio", ours_s / bare_s},
                        {"cancel_p50_ms", cancel_p50},
                        {"cancel_max_ms", cancel_max}};
    std::ofstream(json_out) << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace syncagent::bench

int main(int argc, char** argv) { return syncagent::bench::Main(argc, argv); }
