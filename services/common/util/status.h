// Status values for the message path: handlers return these instead of
// throwing, and the consumer loop turns them into dead letters or retries.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace leadflow {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input: dead-letter it, commit, move on
  kNotFound,
  kAlreadyExists,
  kUnavailable,  // transient (Redis or Kafka down): retry the message later
  kFailedPrecondition,
  kInternal,
  kAborted,  // state changed underneath (e.g. a view's Redis was reset): start over
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, int reason = 0)
      : code_(code), message_(std::move(message)), reason_(reason) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m, int reason = 0) {
    return {StatusCode::kInvalidArgument, std::move(m), reason};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // A leadflow.common.v1.ReasonCode value, when the status explains a rejection.
  int reason() const { return reason_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int reason_ = 0;
};

// A value or the Status explaining why there is none.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}   // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

const char* StatusCodeName(StatusCode code);

}  // namespace leadflow
