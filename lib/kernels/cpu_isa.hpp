#pragma once
// The instruction sets the kernels choose between at run time. The build targets AVX2+FMA (CI
// machines have no AVX-512); wider paths live in functions compiled for their own target and are
// taken only when this CPU reports the instructions.
namespace nib::kernels {

enum class Isa {
  Avx2,        // the baseline every build requires
  Avx512Vnni,  // AVX-512 F/BW/VL with VNNI (u8·s8 dot products) and BF16
};

// The widest set this CPU supports, capped by set_isa_limit.
Isa active_isa();

// Caps the kernels' choice (process-wide): tests and benchmarks run the AVX2 path on a machine that
// has AVX-512. Returns the previous cap.
Isa set_isa_limit(Isa limit);

}  // namespace nib::kernels
