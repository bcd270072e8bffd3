#pragma once
// Symbol visibility: the library is built with -fvisibility=hidden; NIB_API marks the public surface.
#if defined(_WIN32)
#define NIB_API
#else
#define NIB_API __attribute__((visibility("default")))
#endif
