#pragma once
// nib_chat_options: its defaults and the C++ options it stands for (chat rendering and
// nib_session_chat share them).
#include <nib.h>
#include <nib/chat.hpp>

namespace nib::capi {

nib_chat_options default_chat_options();
// The rendering options of `o` (template_name is the caller's to resolve).
nib::ChatOptions chat_options_to_cpp(const nib_chat_options& o);

}  // namespace nib::capi
