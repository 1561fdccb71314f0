#!/usr/bin/env python3
"""Keeps the output the book shows under its code snippets true.

In the chapters, a ```rust block followed directly by a ```text block means "this code, and
what it prints". This script runs every such snippet as a program (the same way rustdoc runs a
doctest: hidden `# ` lines included, wrapped in a `main` that may return an error), from the
repository root, and compares what it prints with the text block.

    python3 tools/snippet-outputs.py            # rewrite the text blocks with the real output
    python3 tools/snippet-outputs.py --check    # fail if any text block differs from it

Needs Python 3 and cargo. The snippets are built in one temporary crate that depends on this
one, so a full check takes about a minute.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHAPTERS = os.path.join(ROOT, "book", "src")
FENCE = re.compile(r"^```(\S*)\s*$")
# Prose allowed between a snippet and its output ("It prints:").
MAX_BETWEEN = 40


def blocks(lines):
    """(language, first line, closing line) of every fenced block."""
    found, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            found.append((m.group(1), i, j))
            i = j + 1
        else:
            i += 1
    return found


def pairs(path):
    """(snippet code, first and last line of its output block) for one chapter."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found = blocks(lines)
    result = []
    for k, (lang, start, end) in enumerate(found[:-1]):
        next_lang, next_start, next_end = found[k + 1]
        between = " ".join(lines[end + 1:next_start]).strip()
        if lang == "rust" and next_lang == "text" and len(between) <= MAX_BETWEEN:
            result.append(("\n".join(lines[start + 1:end]), next_start + 1, next_end))
    return result


def as_program(code):
    """A snippet as rustdoc compiles it: hidden lines shown, wrapped in main if needed."""
    out = []
    for line in code.split("\n"):
        stripped = line.lstrip()
        if stripped == "#":
            out.append("")
        elif stripped.startswith("# "):
            out.append(line.replace("# ", "", 1))
        elif stripped.startswith("##"):
            out.append(line.replace("##", "#", 1))
        else:
            out.append(line)
    body = "\n".join(out)
    if re.search(r"^\s*fn main\s*\(", body, re.M):
        return body
    tail = [l for l in out if l.strip()]
    if not (tail and tail[-1].strip().startswith("Ok::<")):
        body += "\nOk::<(), Box<dyn std::error::Error>>(())"
    return (
        "#![allow(unused)]\n"
        "fn main() -> Result<(), Box<dyn std::error::Error>> {\n" + body + "\n}\n"
    )


def main():
    check = "--check" in sys.argv[1:]
    work = tempfile.mkdtemp(prefix="snippet-outputs-")
    try:
        os.makedirs(os.path.join(work, "examples"))
        os.makedirs(os.path.join(work, "src"))
        open(os.path.join(work, "src", "lib.rs"), "w").close()
        with open(os.path.join(work, "Cargo.toml"), "w") as f:
            f.write(
                '[package]\nname = "book-snippets"\nversion = "0.0.0"\nedition = "2024"\n'
                "publish = false\n\n[dependencies]\n"
                'min-char-rnn = { path = %r }\nfastrand = "=2.5.0"\n\n[workspace]\n' % ROOT
            )
        shutil.copy(os.path.join(ROOT, "Cargo.lock"), work)
        snippets = []  # (chapter, output start, output end, example name)
        for path in sorted(glob.glob(os.path.join(CHAPTERS, "*.md"))):
            for code, start, end in pairs(path):
                name = "s%02d" % len(snippets)
                with open(os.path.join(work, "examples", name + ".rs"), "w") as f:
                    f.write(as_program(code))
                snippets.append((path, start, end, name))
        target = os.path.join(ROOT, "target", "book-snippets")
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        subprocess.run(
            ["cargo", "build", "--quiet", "--release", "--examples"], cwd=work, env=env, check=True
        )
        stale = 0
        edits = {}  # chapter -> [(start, end, new lines)]
        for path, start, end, name in snippets:
            binary = os.path.join(target, "release", "examples", name)
            run = subprocess.run([binary], cwd=ROOT, capture_output=True, text=True)
            where = "%s:%d" % (os.path.relpath(path, ROOT), start)
            if run.returncode != 0:
                print("%s: the snippet failed:\n%s" % (where, run.stderr), file=sys.stderr)
                stale += 1
                continue
            actual = run.stdout.rstrip("\n").split("\n")
            lines = open(path, encoding="utf-8").read().split("\n")
            shown = lines[start:end]
            if [l.rstrip() for l in shown] != [l.rstrip() for l in actual]:
                stale += 1
                print("%s: the output shown differs from what the snippet prints" % where,
                      file=sys.stderr)
                for a, b in zip(shown, actual):
                    if a.rstrip() != b.rstrip():
                        print("  shown:   %r\n  printed: %r" % (a, b), file=sys.stderr)
                        break
                else:
                    print("  shown %d lines, printed %d" % (len(shown), len(actual)),
                          file=sys.stderr)
                edits.setdefault(path, []).append((start, end, actual))
        if check:
            if stale:
                print("snippet-outputs: %d of %d outputs are stale; run "
                      "python3 tools/snippet-outputs.py to update" % (stale, len(snippets)),
                      file=sys.stderr)
                sys.exit(1)
            print("snippet-outputs: ok: %d outputs match their snippets" % len(snippets),
                  file=sys.stderr)
            return
        for path, changes in edits.items():
            lines = open(path, encoding="utf-8").read().split("\n")
            for start, end, actual in sorted(changes, reverse=True):
                lines[start:end] = actual
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
        print("snippet-outputs: updated %d of %d outputs" % (stale, len(snippets)),
              file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
