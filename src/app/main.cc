#include <iostream>

#include "app/cli.h"

int main(int argc, char** argv) { return vigil::RunCli(argc, argv, std::cout, std::cerr); }
