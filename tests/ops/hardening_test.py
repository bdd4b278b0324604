#!/usr/bin/env python3
"""The built binaries are hardened (docs/security.md, "Hardened binaries").

Two checks, so that neither a flag dropped from CMakeLists.txt nor a target
that escapes it goes unnoticed:
  1. compile_commands.json: every C++ compile of the build (generated protobuf
     code included) has -fstack-protector-strong, -fstack-clash-protection
     and -D_FORTIFY_SOURCE=2;
  2. each service binary, devkafka and the CLI, read with readelf: full RELRO
     (a GNU_RELRO segment and BIND_NOW), a stack protector (__stack_chk_fail)
     and fortified libc calls (some __*_chk symbol).
Usage: hardening_test.py <build dir>
"""
import json
import os
import re
import subprocess
import sys

FLAGS = ["-fstack-protector-strong", "-fstack-clash-protection", "-D_FORTIFY_SOURCE=2"]
BINARIES = ["leadflow-intake", "leadflow-scoring", "leadflow-routing", "leadflow-nurture",
            "leadflow-notifier", "leadflow-devkafka", "leadflow-cli"]


def readelf(*args):
    return subprocess.run(["readelf", *args], check=True, capture_output=True, text=True).stdout


def main():
    build = sys.argv[1]
    failures = []
    for name in BINARIES:
        path = os.path.join(build, "bin", name)
        if not os.path.exists(path):
            failures.append(f"{name}: not built")
            continue
        segments = readelf("-lW", path)
        dynamic = readelf("-dW", path)
        symbols = readelf("--dyn-syms", "-W", path)
        if "GNU_RELRO" not in segments:
            failures.append(f"{name}: no GNU_RELRO segment")
        if "BIND_NOW" not in dynamic and not re.search(r"FLAGS_1\).*\bNOW\b", dynamic):
            failures.append(f"{name}: not linked with -z now (no BIND_NOW)")
        if "__stack_chk_fail" not in symbols:
            failures.append(f"{name}: no stack protector (__stack_chk_fail)")
        if not any(s.split("@")[0].endswith("_chk") and "__" in s
                   for s in symbols.split()):
            failures.append(f"{name}: no fortified libc call (__*_chk)")
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    if not commands:
        failures.append("compile_commands.json is empty")
    for c in commands:
        line = c.get("command") or " ".join(c.get("arguments", []))
        missing = [flag for flag in FLAGS if flag not in line.split()]
        if missing:
            failures.append(f"{c['file']}: compiled without {' '.join(missing)}")
    if failures:
        print(f"{len(failures)} hardening failures:")
        for line in failures[:40]:
            print("  " + line)
        if len(failures) > 40:
            print(f"  ... and {len(failures) - 40} more")
        return 1
    print(f"hardened: {len(commands)} compiles with {' '.join(FLAGS)}; "
          f"{len(BINARIES)} binaries with full RELRO, stack protector and FORTIFY")
    return 0


if __name__ == "__main__":
    sys.exit(main())
