#include "routing/domain/out_of_office.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace leadflow::routing {
namespace {

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

}  // namespace

StatusOr<OutOfOffice> OutOfOfficeFromProto(
    const google::protobuf::RepeatedPtrField<leadflow::routing::v1::OutOfOfficeWindow>& windows,
    int64_t now_ms) {
  if (static_cast<size_t>(windows.size()) > kMaxOutOfOfficeWindows) {
    return Status::InvalidArgument("windows: at most " + std::to_string(kMaxOutOfOfficeWindows) +
                                   " per rep, got " + std::to_string(windows.size()));
  }
  OutOfOffice out;
  for (int i = 0; i < windows.size(); ++i) {
    const auto& w = windows[i];
    const std::string at = "windows[" + std::to_string(i) + "]";
    if (!w.has_start()) return Status::InvalidArgument(at + ".start: required");
    if (!w.has_end()) return Status::InvalidArgument(at + ".end: required");
    const OutOfOfficeWindow x{Millis(w.start()), Millis(w.end())};
    if (x.start_ms < 0) return Status::InvalidArgument(at + ".start: before 1970");
    if (x.end_ms <= x.start_ms) return Status::InvalidArgument(at + ".end: must be after start");
    if (x.end_ms - x.start_ms > kMaxOutOfOfficeWindowMs) {
      return Status::InvalidArgument(at + ".end: a window lasts at most 366 days");
    }
    if (x.end_ms > now_ms) out.push_back(x);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.start_ms < b.start_ms; });
  OutOfOffice merged;
  for (const auto& w : out) {
    if (!merged.empty() && w.start_ms <= merged.back().end_ms) {
      merged.back().end_ms = std::max(merged.back().end_ms, w.end_ms);
    } else {
      merged.push_back(w);
    }
  }
  return merged;
}

void ToProto(const OutOfOffice& windows,
             google::protobuf::RepeatedPtrField<leadflow::routing::v1::OutOfOfficeWindow>* out) {
  for (const auto& w : windows) {
    auto* p = out->Add();
    p->mutable_start()->set_seconds(w.start_ms / 1000);
    p->mutable_start()->set_nanos(static_cast<int32_t>(w.start_ms % 1000) * 1000000);
    p->mutable_end()->set_seconds(w.end_ms / 1000);
    p->mutable_end()->set_nanos(static_cast<int32_t>(w.end_ms % 1000) * 1000000);
  }
}

const OutOfOfficeWindow* WindowAt(const OutOfOffice& windows, int64_t at_ms) {
  for (const auto& w : windows) {
    if (w.start_ms <= at_ms && at_ms < w.end_ms) return &w;
  }
  return nullptr;
}

std::string EncodeOutOfOffice(const OutOfOffice& windows) {
  std::string out;
  for (const auto& w : windows) {
    if (!out.empty()) out += ',';
    out += std::to_string(w.start_ms) + "-" + std::to_string(w.end_ms);
  }
  return out;
}

OutOfOffice DecodeOutOfOffice(std::string_view text) {
  OutOfOffice out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) continue;
    OutOfOfficeWindow w;
    auto a = std::from_chars(item.data(), item.data() + dash, w.start_ms);
    auto b = std::from_chars(item.data() + dash + 1, item.data() + item.size(), w.end_ms);
    if (a.ec != std::errc{} || b.ec != std::errc{} || a.ptr != item.data() + dash ||
        b.ptr != item.data() + item.size() || w.end_ms <= w.start_ms) {
      continue;
    }
    out.push_back(w);
  }
  return out;
}

std::string UtcMinute(int64_t unix_ms) {
  const auto tp = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(unix_ms));
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::year_month_day ymd(day);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(tp - day).count();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return buf;
}

}  // namespace leadflow::routing
