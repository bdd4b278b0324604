#!/usr/bin/env python3
"""The shape rules of docs/architecture.md ("Code conventions"), checked on the source tree:

  1. no function in services/*/app or services/*/domain is longer than 60 lines
     (from the first line of its signature to its closing brace, comments included);
  2. no Lua script is written inside C++ (a raw string R"lua(...)"): scripts live in
     .lua files embedded at build time (cmake/EmbedLua.cmake);
  3. test helpers are not in production folders: a *_test_util.h or *_fixture.h lives
     under a testing/ folder.

Usage: code_shape_test.py [SOURCE_DIR]   (default: the repository this file is in)
Exit status 1 lists each breach as path:line.
"""
import pathlib
import re
import sys

MAX_LINES = 60
RULE_DIRS = ("app", "domain")


def strip_code(text):
    """Blanks comments and string/char literals, keeping newlines, so braces count."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c == "R" and text.startswith('R"', i) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c); i += 1; continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + (c if j < n else "")); i = j + 1
        else:
            out.append(c); i += 1
    # Preprocessor lines (with their continuations) say nothing about scopes.
    return re.sub(r"(?m)^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                  "".join(out))


def long_functions(path):
    code = strip_code(path.read_text(encoding="utf-8", errors="replace"))
    stack = []  # one entry per open brace: ("ns" | "class" | "fn" | "block", start line)
    header_start = 0  # index where the text before the next brace began
    found = []
    for i, c in enumerate(code):
        if c in ";":
            if not stack or stack[-1][0] in ("ns", "class"):
                header_start = i + 1
        elif c == "{":
            header = code[header_start:i]
            words = header.split()
            outer = stack[-1][0] if stack else "ns"
            if outer in ("ns", "class"):
                head = re.sub(r"template\s*<[^{]*?>\s*", "", header).strip()
                if re.match(r"(inline\s+)?namespace\b|extern\s+\"", head) or not head and outer == "ns":
                    kind = "ns"
                elif re.match(r"(class|struct|union|enum)\b", head) and "(" not in head.split(":")[0]:
                    kind = "class"
                elif ")" in head:
                    kind = "fn"
                else:
                    kind = "block"
                line = code.count("\n", 0, header_start + len(header) - len(header.lstrip())) + 1
                stack.append((kind, line))
            else:
                stack.append(("block", 0))
        elif c == "}":
            if stack:
                kind, line = stack.pop()
                end = code.count("\n", 0, i) + 1
                if kind == "fn" and end - line + 1 > MAX_LINES:
                    found.append((line, end - line + 1))
            if not stack or stack[-1][0] in ("ns", "class"):
                header_start = i + 1
        elif c == ":" and stack and stack[-1][0] == "class" and re.search(
                r"\b(public|private|protected)\s*$", code[header_start:i]):
            header_start = i + 1
    return found


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    breaches = []
    for path in sorted((root / "services").rglob("*")):
        if path.suffix not in (".cc", ".h") or not path.is_file():
            continue
        rel = path.relative_to(root)
        text = path.read_text(encoding="utf-8", errors="replace")
        lua_at = text.find('R"lua(')
        if lua_at >= 0:
            line = text.count("\n", 0, lua_at) + 1
            breaches.append(f"{rel}:{line}: a Lua script in a C++ string; move it to a .lua file")
        is_test = re.search(r"_(test|redistest|bench)\.cc$|test_util\.h$|fixture\.h$", path.name)
        if is_test and re.search(r"test_util\.h$|fixture\.h$", path.name) and "testing" not in rel.parts:
            breaches.append(f"{rel}: a test helper in a production folder; move it under testing/")
        if is_test or len(rel.parts) < 4 or rel.parts[2] not in RULE_DIRS:
            continue
        for line, length in long_functions(path):
            breaches.append(f"{rel}:{line}: a function of {length} lines (at most {MAX_LINES})")
    for b in breaches:
        print(b)
    print(f"code_shape: {len(breaches)} breach(es)" if breaches else "code_shape: ok")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
