#include <nib/error.hpp>

namespace nib {

const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::InvalidArgument: return "invalid argument";
    case Status::Io: return "io";
    case Status::Format: return "format";
    case Status::Unsupported: return "unsupported";
    case Status::OutOfMemory: return "out of memory";
    case Status::ContextFull: return "context full";
    case Status::Cancelled: return "cancelled";
    case Status::Internal: return "internal";
  }
  return "unknown";
}

Error::Error(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}

}  // namespace nib
