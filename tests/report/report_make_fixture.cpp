// report_make_fixture DIR: (re)creates the hand-made results directory of
// report_fixture.h at DIR, for the command-line tests of `nar report` and
// `nar sweep status`.
#include <filesystem>
#include <iostream>

#include "report_fixture.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: report_make_fixture DIR\n";
        return 2;
    }
    try {
        std::filesystem::remove_all(argv[1]);
        std::filesystem::create_directories(argv[1]);
        nar::jobs::testing::make_report_fixture(argv[1]);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
