#!/usr/bin/env python3
"""scripts/function_lengths.py — how long each C++ function is.

A function's length is the number of lines from the line its signature
starts on to the line of its closing brace, both included (blank and comment
lines inside count too). Lambdas and local classes count as part of the
function around them.

How it finds them: comments, string and character literals are blanked out,
then braces are followed. A `{` opens a function body when the text since the
previous `;`, `{` or `}` has a parameter list `(...)` and is not a control
statement, an initializer (`= {`) or a namespace/class/struct/enum/union
head; the signature starts where that text starts.

Usage: scripts/function_lengths.py [--over N] [--top K] [PATH...]
PATHs are files or folders (default: the non-test sources arch/ posih/
kernel/ benchmarks/ tools/). Prints "lines  file:line  name" for every
function over N lines (default 100), longest first, then a count; exits 0.
"""
import argparse
import os
import re
import sys

SOURCE_DIRS = ["arch", "posih", "kernel", "benchmarks", "tools"]
CONTROL = re.compile(r"^\s*(if|for|while|switch|catch|else|do|return)\b")
CONTAINER = re.compile(r"\b(namespace|class|struct|enum|union)\b[^()]*$")


def blank(text):
    """Comments and literals to spaces; newlines kept so lines still count."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    text = blank(open(path, encoding="utf-8", errors="replace").read())
    # Preprocessor lines never open bodies (macros with braces are rare here
    # and a #define's braces balance on its own line).
    text = re.sub(r"(?m)^[ \t]*#.*(?:\\\n.*)*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    stack = []  # per open brace: None (container/other) or (start offset, name)
    head_start = 0
    found = []
    for i, c in enumerate(text):
        if c == "{":
            head = text[head_start:i]
            in_function = any(s is not None for s in stack)
            kind = None
            if not in_function:
                h = head.strip()
                if ("(" in h and ")" in h and not CONTROL.match(h) and not h.endswith("=")
                        and not CONTAINER.search(h.split("(")[0])):
                    name = re.findall(r"([~\w:<>]+)\s*\(", h)
                    offset = head_start + (len(head) - len(head.lstrip()))
                    kind = (offset, name[0] if name else "?")
            stack.append(kind)
            head_start = i + 1
        elif c == "}":
            kind = stack.pop() if stack else None
            if kind is not None:
                start_line = text.count("\n", 0, kind[0]) + 1
                end_line = text.count("\n", 0, i) + 1
                found.append((end_line - start_line + 1, start_line, kind[1]))
            head_start = i + 1
        elif c == ";":
            head_start = i + 1
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--over", type=int, default=100)
    ap.add_argument("--top", type=int, default=0, help="also list the K longest whatever their length")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = args.paths or [os.path.join(root, d) for d in SOURCE_DIRS]
    files = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                files += [os.path.join(d, f) for f in names if f.endswith((".cpp", ".h"))]
        else:
            files.append(p)
    rows = []
    for f in sorted(files):
        for length, line, name in functions(f):
            rows.append((length, os.path.relpath(f, root), line, name))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    over = [r for r in rows if r[0] > args.over]
    shown = rows[: max(args.top, len(over))]
    for length, f, line, name in shown:
        print(f"{length:5d}  {f}:{line}  {name}")
    print(f"{len(over)} of {len(rows)} functions in {len(files)} files are longer than {args.over} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
