#!/usr/bin/env python3
"""Writes docs/man/linflow.1, one man page with every command's help, from the built
executable's own description of its commands (`linflow --experimental-dump-help`, the JSON that
ArgumentParser prints `--help` from), so the page says what `--help` says.

    python3 scripts/docs/man_page.py [EXE]            rewrite docs/man/linflow.1 (EXE: .build/debug/linflow)
    python3 scripts/docs/man_page.py --check [EXE]    exit 1, with a diff, if docs/man/linflow.1 is not current
    man ./docs/man/linflow.1                     read it

Why not swift-argument-parser's `generate-manual` plugin (`swift package generate-manual`)? It
runs offline here, but its mdoc writer keeps only ASCII characters (1.8.2,
Tools/generate-manual/MDoc/String+Escaping.swift: `for character in self where
character.isASCII`), and linflow's help is full of Σ, η, λ, σ and −: `--init-scale <σ>` came out
as `--init-scale ""` and "λ of --init lambda-balanced" as " of --init lambda-balanced". This
writes man(7) in UTF-8 instead (man-db passes it through preconv), with the same sections.
"""
import difflib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "docs", "man", "linflow.1")


def escape(text):
    """One line of running text: backslashes and hyphen-minus escaped (so `--plot` copies as
    typed), and a leading dot or apostrophe kept from being read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def paragraphs(text):
    """ArgumentParser keeps the discussion's line breaks; a blank line starts a paragraph."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            out.append(" ".join(lines))
    return out


def names(argument):
    def one(n):
        return ("-" if n["kind"] == "short" else "--") + n["name"]
    return ", ".join(one(n) for n in argument.get("names", []))


def options(arguments, top_level):
    """The arguments as .TP entries under their group titles (as in --help: titled groups
    first, then the untitled ones). A flag and its inversion (--check, --no-check) share one."""
    merged = []
    for a in arguments:
        if not a.get("shouldDisplay", True):
            continue
        if not top_level and a.get("names") and a["names"][-1]["name"] in ("help", "version"):
            continue
        previous = merged[-1] if merged else None
        if (previous and a["kind"] == "flag" and previous["kind"] == "flag"
                and a.get("abstract") == previous.get("abstract")
                and a.get("sectionTitle") == previous.get("sectionTitle")):
            previous["names"] = previous["names"] + a["names"]
            continue
        merged.append(dict(a))
    positional = [a for a in merged if a["kind"] == "positional"]
    titles = []
    for a in merged:
        t = a.get("sectionTitle")
        if t and t not in titles:
            titles.append(t)
    groups = [("Arguments", positional)] + [(t, [a for a in merged if a.get("sectionTitle") == t]) for t in titles]
    groups.append(("Options", [a for a in merged if a["kind"] != "positional" and not a.get("sectionTitle")]))
    out = []
    for title, members in groups:
        if not members:
            continue
        out.append(".PP")
        out.append(".I " + escape(title))
        for a in members:
            out.append(".TP")
            if a["kind"] == "positional":
                label = "\\fI" + escape(a.get("valueName", "")) + "\\fR" + (" ..." if a.get("isRepeating") else "")
            else:
                label = "\\fB" + escape(names(a)) + "\\fR"
                if a["kind"] == "option":
                    label += " \\fI" + escape(a.get("valueName", "")) + "\\fR"
            out.append(label)
            text = a.get("abstract", "")
            extra = []
            if a.get("allValues"):
                extra.append("values: " + ", ".join(a["allValues"]))
            if a.get("defaultValue"):
                extra.append("default: " + a["defaultValue"])
            if extra:
                text += " (" + "; ".join(extra) + ")"
            out.append(escape(text))
    return out


def command_section(command, path, top_level=False):
    out = []
    if not top_level:
        out.append(".SS " + '"' + escape(" ".join(path)) + '"')
        out.append(escape(command.get("abstract", "")))
    for p in paragraphs(command.get("discussion", "")):
        out.append(".PP")
        if p.startswith("Example: "):
            # An example is a command line: kept on one line, not filled.
            out += [".nf", "Example:", "    " + escape(p[len("Example: "):]), ".fi"]
        else:
            out.append(escape(p))
    out += options(command.get("arguments", []), top_level)
    return out


def page(exe):
    tool = json.loads(subprocess.run([exe, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    version = subprocess.run([exe, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    root = tool["command"]
    name = root["commandName"]
    lines = [
        '.\\" Generated by scripts/docs/man_page.py from `linflow --experimental-dump-help`; do not edit.',
        '.TH %s 1 "" "%s %s" "User Commands"' % (name.upper(), name, version),
        # Ragged right, no hyphenation: option names and paths stay whole.
        ".ad l",
        ".nh",
        ".SH NAME",
        "%s \\- %s" % (name, escape(root.get("abstract", ""))),
        ".SH SYNOPSIS",
        ".B %s" % name,
        ".I subcommand",
        "[\\fIoptions\\fR]",
        ".SH DESCRIPTION",
    ]
    lines += command_section(root, [name], top_level=True)
    lines.append(".SH COMMANDS")

    def walk(command, path):
        for sub in command.get("subcommands", []):
            if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
                continue
            lines.extend(command_section(sub, path + [sub["commandName"]]))
            walk(sub, path + [sub["commandName"]])
    walk(root, [name])
    lines += [
        ".SH SEE ALSO",
        escape("docs/cli.md (every option and which commands take it, exit codes), docs/plotting.md, "
               "docs/sweeps.md, docs/output.md, docs/descent.md, docs/theory-closed-forms.md in the "
               "linflow repository; `linflow COMMAND --help`."),
    ]
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    exe = args[0] if args else os.path.join(ROOT, ".build", "debug", "linflow")
    text = page(exe)
    if check:
        current = open(PAGE, encoding="utf-8").read() if os.path.exists(PAGE) else ""
        if current != text:
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                       "docs/man/linflow.1", "regenerated"))
            print("docs/man/linflow.1 is not current: run python3 scripts/docs/man_page.py", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(PAGE), exist_ok=True)
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
