// Consumes the installed C++ API: the model's description.
#include <nib/model.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) return 0;
  const nib::Model model = nib::Model::load(argv[1]);
  std::cout << "architecture:" << model.info().architecture << "\n";
}
