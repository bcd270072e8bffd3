// An embedding in the style of a game or editor plugin, over the C ABI only: the host's main loop
// keeps ticking ("frames") while a worker thread generates; pieces travel through a queue; the
// host cancels a second, long generation from its own thread.
//   plugin_host MODEL_DIR
#include <nib.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace {

// Pieces from the worker to the host, plus a "done" flag (the worker's only shared state).
struct Channel {
  std::mutex mutex;
  std::deque<std::string> pieces;
  bool done = false;
  nib_status status = NIB_OK;
  int stop_reason = -1;

  void push(std::string piece) {
    std::lock_guard lock(mutex);
    pieces.push_back(std::move(piece));
  }
};

int on_piece(const char* piece, size_t len, void* user_data) {
  static_cast<Channel*>(user_data)->push(std::string(piece, len));
  return 0;
}

// Runs one generation on a worker thread, feeding `channel`.
std::thread start_job(nib_session* session, const char* prompt, int max_tokens, Channel& channel) {
  return std::thread([=, &channel] {
    nib_generate_options o;
    nib_generate_options_init(&o);
    o.max_new_tokens = max_tokens;
    o.stop_at_eos = 0;
    o.stream = on_piece;
    o.stream_user_data = &channel;
    nib_generation g{};
    g.struct_size = sizeof g;
    const nib_status s = nib_generate(session, prompt, &o, &g);
    std::lock_guard lock(channel.mutex);
    channel.status = s;
    channel.stop_reason = s == NIB_OK ? g.stop_reason : -1;
    channel.done = true;
  });
}

// The host's frame loop: drains the queue each frame; `cancel_after` pieces (0: never) cancels.
std::string run_frames(nib_session* session, Channel& channel, int cancel_after, int& frames) {
  std::string text;
  int pieces = 0;
  for (bool done = false; !done; ++frames) {
    std::deque<std::string> batch;
    {
      std::lock_guard lock(channel.mutex);
      batch.swap(channel.pieces);
      done = channel.done && channel.pieces.empty();
    }
    for (auto& p : batch) {
      text += p;
      if (++pieces == cancel_after) nib_session_cancel(session);  // from the host thread
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // the rest of the frame
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL_DIR\n", argv[0]);
    return 2;
  }
  nib_model* model = nullptr;
  nib_session* session = nullptr;
  if (nib_model_load(argv[1], nullptr, &model) != NIB_OK ||
      nib_session_create(model, nullptr, &session) != NIB_OK) {
    std::fprintf(stderr, "plugin: %s\n", nib_last_error());
    nib_model_free(model);
    return 1;
  }
  int frames = 0;
  Channel first;
  std::thread worker = start_job(session, "Once upon a time", 64, first);
  const std::string text = run_frames(session, first, 0, frames);
  worker.join();
  std::printf("job 1 (%s, stop %d): %s\n", nib_status_name(first.status), first.stop_reason, text.c_str());

  nib_session_reset(session);
  Channel second;
  worker = start_job(session, "Once upon a time", 400, second);
  const std::string partial = run_frames(session, second, 3, frames);
  worker.join();
  const bool cancelled = second.status == NIB_OK && second.stop_reason == NIB_STOP_CANCELLED;
  std::printf("job 2: %s after %zu bytes\n", cancelled ? "cancelled" : "NOT cancelled", partial.size());
  std::printf("host frames: %d\n", frames);

  nib_session_free(session);
  nib_model_free(model);
  return first.status == NIB_OK && cancelled ? 0 : 1;
}
