// config_schema_gen: prints the config JSON Schema, or writes it to the file given as argument.
//
//   build/bin/config_schema_gen config/syncagent.schema.json
#include <cstdio>
#include <fstream>
#include <iostream>

#include "config/config_schema.h"

int main(int argc, char** argv) {
  const std::string text = syncagent::ConfigSchemaText();
  if (argc < 2) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "config_schema_gen: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
