-- A LuaJIT FFI script driving nib.h the way an editor plugin would: load a model, stream a greedy
-- completion into a "buffer", then stop a second one from the stream callback.
--   NIB_LIBRARY=/path/libnib.so luajit plugin.lua MODEL_DIR
local ffi = require("ffi")

-- The part of nib.h this plugin uses (LuaJIT cannot read the header's preprocessor lines). The
-- layouts are checked against the library's own struct sizes below.
ffi.cdef [[
typedef int nib_status;
typedef int32_t nib_token;
typedef struct nib_model nib_model;
typedef struct nib_session nib_session;
typedef int (*nib_stream_fn)(const char* piece, size_t piece_len, void* user_data);
typedef struct nib_generate_options {
  size_t struct_size; int32_t max_new_tokens; float temperature; int32_t top_k; float top_p; float min_p;
  float repetition_penalty; float presence_penalty; float frequency_penalty; int32_t penalty_window;
  uint64_t seed; const char* const* stop; size_t stop_count; int32_t stop_at_eos; int32_t add_special_tokens;
  const nib_token* logit_bias_ids; const float* logit_bias_values; size_t logit_bias_count;
  nib_stream_fn stream; void* stream_user_data;
} nib_generate_options;
typedef struct nib_generation {
  size_t struct_size; const char* text; size_t text_len; const nib_token* prompt_ids; size_t prompt_count;
  const nib_token* ids; size_t count; int32_t stop_reason; int64_t prompt_tokens; int64_t reused_tokens;
  int64_t generated_tokens; double prefill_ms; double decode_ms;
} nib_generation;
int nib_abi_version(void);
const char* nib_version(void);
const char* nib_last_error(void);
const char* nib_status_name(nib_status status);
nib_status nib_model_load(const char* path, const void* options, nib_model** out);
nib_status nib_model_free(nib_model* model);
nib_status nib_session_create(const nib_model* model, const void* options, nib_session** out);
nib_status nib_session_free(nib_session* session);
nib_status nib_session_reset(nib_session* session);
nib_status nib_generate_options_init(nib_generate_options* options);
nib_status nib_generate(nib_session* session, const char* prompt, const nib_generate_options* options,
                        nib_generation* out);
]]

local nib = ffi.load(os.getenv("NIB_LIBRARY") or "nib")
local STOP_NAMES = { [0] = "max_tokens", "eos", "stop_string", "callback", "cancelled", "context_full" }

local function check(status, what)
  if status ~= 0 then
    error(string.format("%s: %s (%s)", what, ffi.string(nib.nib_last_error()), ffi.string(nib.nib_status_name(status))))
  end
end

local probe = ffi.new("nib_generate_options")
check(nib.nib_generate_options_init(probe), "nib_generate_options_init")
assert(tonumber(probe.struct_size) == ffi.sizeof("nib_generate_options"), "cdef out of date with nib.h")

local model_dir = assert(arg[1], "usage: luajit plugin.lua MODEL_DIR")
local model_out = ffi.new("nib_model*[1]")
check(nib.nib_model_load(model_dir, nil, model_out), "nib_model_load")
local model = ffi.gc(model_out[0], nib.nib_model_free)
local session_out = ffi.new("nib_session*[1]")
check(nib.nib_session_create(model, nil, session_out), "nib_session_create")
local session = ffi.gc(session_out[0], nib.nib_session_free)

-- Streams a completion into `buffer` (a Lua table of pieces); stop_after > 0 stops it from the callback.
local function complete(prompt, max_tokens, stop_after)
  local buffer = {}
  local cb = ffi.cast("nib_stream_fn", function(piece, len, _)
    buffer[#buffer + 1] = ffi.string(piece, len)
    return (stop_after > 0 and #buffer >= stop_after) and 1 or 0
  end)
  local o = ffi.new("nib_generate_options")
  check(nib.nib_generate_options_init(o), "nib_generate_options_init")
  o.max_new_tokens, o.stop_at_eos, o.stream = max_tokens, 0, cb
  local g = ffi.new("nib_generation")
  g.struct_size = ffi.sizeof(g)
  local ok, err = pcall(check, nib.nib_generate(session, prompt, o, g), "nib_generate")
  cb:free() -- the callback must outlive the call, and no longer
  if not ok then error(err) end
  return table.concat(buffer), STOP_NAMES[g.stop_reason], #buffer
end

print(string.format("nib %s (ABI %d) from LuaJIT", ffi.string(nib.nib_version()), nib.nib_abi_version()))
local text, reason = complete("Once upon a time", 64, 0)
print("completion (" .. reason .. "): " .. text)
check(nib.nib_session_reset(session), "nib_session_reset")
local _, reason2, pieces = complete("Once upon a time", 400, 5)
print(string.format("stopped by the plugin: %s after %d pieces", reason2, pieces))
