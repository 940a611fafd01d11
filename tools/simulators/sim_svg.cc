#include "tools/simulators/sim_svg.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

namespace syncagent {
namespace {

constexpr double kWidth = 1000;
constexpr double kLeft = 64;  // day labels
constexpr double kRight = 16;
constexpr double kPlot = kWidth - kLeft - kRight;
constexpr double kTop = 58;  // title and hour axis
constexpr double kLane = 26;
constexpr double kGap = 6;
constexpr double kMarkWidth = 2;

const char* Colour(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kOk: return "#2e7d32";
    case RunOutcome::kCut: return "#ef6c00";
    case RunOutcome::kOffline: return "#c62828";
    case RunOutcome::kFailed: return "#6a1b9a";
    case RunOutcome::kSkipped: return "#546e7a";
  }
  return "#000000";
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", value);
  return buffer;
}

double X(int64_t minute_of_day) { return kLeft + kPlot * static_cast<double>(minute_of_day) / kMinutesPerDay; }
double LaneTop(int day) { return kTop + day * (kLane + kGap); }

std::string Rect(double x, double y, double w, double h, const std::string& attrs) {
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(w) + "\" height=\"" +
         Num(h) + "\" " + attrs + "/>\n";
}

std::string Text(double x, double y, std::string_view text, const std::string& attrs = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\"" + (attrs.empty() ? "" : " ") + attrs +
         ">" + Escape(text) + "</text>\n";
}

std::string Axis(const SimReport& report) {
  std::string out = Text(kLeft, 20,
                         "syncagent simulate " + std::string(ToString(report.spec.platform)) + ": " +
                             std::to_string(report.spec.days) + " days, interval " +
                             FormatSimDuration(report.summary.interval) + ", budget " +
                             FormatSimDuration(report.summary.budget) + ", seed " +
                             std::to_string(report.spec.seed),
                         "font-size=\"14\" font-weight=\"bold\"");
  const double bottom = LaneTop(report.spec.days) - kGap;
  for (int hour = 0; hour <= 24; hour += 3) {
    const double x = X(hour * 60);
    out += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(kTop - 6) + "\" x2=\"" + Num(x) +
           "\" y2=\"" + Num(bottom) + "\" stroke=\"#dddddd\"/>\n";
    out += Text(x, kTop - 10, (hour < 10 ? "0" : "") + std::to_string(hour) + ":00",
                "text-anchor=\"middle\" fill=\"#555555\"");
  }
  return out;
}

// The parts of `window` that fall on one day: [from, to) in minutes (one or two pieces).
std::vector<std::pair<int, int>> Pieces(const DailyWindow& window) {
  if (!window.wraps()) return {{window.from_minute, window.to_minute}};
  return {{0, window.to_minute}, {window.from_minute, kMinutesPerDay}};
}

std::string Lanes(const SimReport& report) {
  std::string out;
  for (int day = 0; day < report.spec.days; ++day) {
    const double top = LaneTop(day);
    out += Text(8, top + kLane / 2 + 4, "Day " + std::to_string(day + 1));
    out += Rect(kLeft, top, kPlot, kLane, "fill=\"#f5f5f5\" stroke=\"#cccccc\"");
    for (const DailyWindow& w : report.spec.offline) {
      for (auto [from, to] : Pieces(w)) {
        out += Rect(X(from), top, X(to) - X(from), kLane,
                    "class=\"offline\" fill=\"#9e9e9e\" fill-opacity=\"0.45\"");
      }
    }
    for (const DailyWindow& w : report.spec.charging) {
      for (auto [from, to] : Pieces(w)) {
        out += Rect(X(from), top + kLane - 5, X(to) - X(from), 5,
                    "class=\"charging\" fill=\"#fbc02d\"");
      }
    }
  }
  return out;
}

std::string ForceQuit(const SimReport& report) {
  if (!report.spec.force_quit_at) return "";
  const int64_t minutes = report.spec.force_quit_at->count() / 60'000;
  const double x = X(minutes % kMinutesPerDay);
  const double top = LaneTop(static_cast<int>(minutes / kMinutesPerDay));
  return "<line class=\"force-quit\" x1=\"" + Num(x) + "\" y1=\"" + Num(top - 2) + "\" x2=\"" +
         Num(x) + "\" y2=\"" + Num(top + kLane + 2) +
         "\" stroke=\"#b71c1c\" stroke-width=\"2\" stroke-dasharray=\"3,2\"><title>force-quit " +
         Escape(FormatSimTime(*report.spec.force_quit_at)) + "</title></line>\n";
}

std::string RunMarks(const SimReport& report) {
  std::string out;
  for (size_t i = 0; i < report.runs.size(); ++i) {
    const SimRun& run = report.runs[i];
    const int64_t minute_ms = run.started.count();
    const int day = static_cast<int>(minute_ms / 86'400'000);
    const double x = kLeft + kPlot * static_cast<double>(minute_ms % 86'400'000) / 86'400'000.0;
    const std::string result(ToString(run.outcome));
    std::string title = "#" + std::to_string(i + 1) + " " + FormatSimTime(run.started) + " " +
                        result + ": " + run.reason;
    if (!run.deferred_by.empty()) title += "; waited: " + run.deferred_by;
    out += "<rect class=\"run " + result + "\" x=\"" + Num(std::min(x, kLeft + kPlot - kMarkWidth)) +
           "\" y=\"" + Num(LaneTop(day) + 3) + "\" width=\"" + Num(kMarkWidth) + "\" height=\"" +
           Num(kLane - 11) + "\" fill=\"" + Colour(run.outcome) + "\"><title>" + Escape(title) +
           "</title></rect>\n";
  }
  return out;
}

std::string Legend(const SimReport& report) {
  const double y = LaneTop(report.spec.days) + 12;
  struct Item {
    std::string label;
    std::string swatch;
  };
  auto run_item = [](const char* label, RunOutcome outcome) {
    return Item{label, "fill=\"" + std::string(Colour(outcome)) + "\""};
  };
  std::vector<Item> items = {run_item("ok", RunOutcome::kOk),
                             run_item("cut by the budget", RunOutcome::kCut),
                             run_item("offline (failed)", RunOutcome::kOffline)};
  if (report.summary.failed > 0) items.push_back(run_item("sync failed", RunOutcome::kFailed));
  if (report.summary.skipped > 0) items.push_back(run_item("no request", RunOutcome::kSkipped));
  items.push_back({"offline window", "fill=\"#9e9e9e\" fill-opacity=\"0.45\""});
  items.push_back({"charging window", "fill=\"#fbc02d\""});
  std::string out;
  double x = kLeft;
  for (const Item& item : items) {
    out += Rect(x, y, 12, 12, item.swatch);
    out += Text(x + 16, y + 10, item.label);
    x += 30 + 7.0 * static_cast<double>(item.label.size());
  }
  if (report.spec.force_quit_at) {
    out += "<line x1=\"" + Num(x + 6) + "\" y1=\"" + Num(y - 2) + "\" x2=\"" + Num(x + 6) +
           "\" y2=\"" + Num(y + 14) +
           "\" stroke=\"#b71c1c\" stroke-width=\"2\" stroke-dasharray=\"3,2\"/>\n";
    out += Text(x + 16, y + 10, "force-quit");
  }
  const SimSummary& s = report.summary;
  out += Text(kLeft, y + 32,
              std::to_string(s.runs) + " runs (" + std::to_string(s.ok) + " ok, " +
                  std::to_string(s.cut_by_budget) + " cut, " + std::to_string(s.offline) +
                  " offline), " + std::to_string(s.skipped_by_constraints) +
                  " held back by constraints; longest without a successful sync " +
                  FormatSimDuration(s.longest_without_success),
              "fill=\"#333333\"");
  return out;
}

}  // namespace

std::string RenderSimTimelineSvg(const SimReport& report) {
  const double height = LaneTop(report.spec.days) + 56;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(kWidth) + "\" height=\"" +
         Num(height) + "\" viewBox=\"0 0 " + Num(kWidth) + " " + Num(height) +
         "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  out += Rect(0, 0, kWidth, height, "fill=\"#ffffff\"");
  out += Axis(report) + Lanes(report) + RunMarks(report) + ForceQuit(report) + Legend(report);
  return out + "</svg>\n";
}

}  // namespace syncagent
