#include <iostream>

#include "app/cli.h"
#include "common/process_memory.h"

int main(int argc, char** argv) {
  vigil::UseOneMallocArena();
  return vigil::RunCli(argc, argv, std::cout, std::cerr);
}
