// nib.h compiles as C++ too (warnings as errors) and its structs are standard layout there.
#include <nib.h>

#include <type_traits>

static_assert(std::is_standard_layout_v<nib_generate_options>);
static_assert(std::is_standard_layout_v<nib_generation>);
static_assert(std::is_trivially_copyable_v<nib_model_info>);

int main() {
  nib_generate_options o;
  return nib_generate_options_init(&o) == NIB_OK && o.struct_size == sizeof o ? 0 : 1;
}
