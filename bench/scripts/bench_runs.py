#!/usr/bin/env python3
"""Runs a benchmark N times and prints its Markdown tables once, aggregated.

    bench/scripts/bench_runs.py [--runs N] [--raw] -- COMMAND [ARG...]

The benchmarks of bench/ print their figures as Markdown tables on standard
output (a header line, a |---| line, then one line per row). This runs
COMMAND N times (default 5, one after the other) and prints the output of
the first run with every table replaced by its aggregate over the N runs:
each number in a row's cell becomes

    median [min-max]      when the runs differ (the median of an even
                          count is the mean of the two middle values)
    the value itself      when every run printed the same

Each number is aggregated on its own: a row of medians is not one run, and
"a + b = c" cells need not add up. Lines outside tables (a benchmark's
"command:" line) are printed as the first run printed them. The figures are
printed with the decimals and thousands separators the benchmark used.

Fails loudly, exit status 1 (or the benchmark's own non-zero status), with
the reason on standard error:
  - a run exits non-zero (the failed run's output is printed as it was, and
    no further run is made);
  - the runs disagree on the shape of the output: another number of tables
    or rows, or a cell whose text around its numbers differs (the message
    names the table, row, column and run).

--raw also copies every run's standard output to standard error as it was
printed, each line prefixed "[run K/N] ". Standard error of the benchmark
passes through.
"""

import re
import statistics
import subprocess
import sys

# A number not glued to a word or another number on its left: "1,000",
# "0.25", "-3", "75941" (but not the 50 of "p50" or the parts of "1.2.3").
NUMBER = re.compile(r"(?<![\w.,])-?\d+(?:,\d{3})*(?:\.\d+)?")
SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def usage(message):
    sys.stderr.write("bench_runs: %s\n" % message)
    sys.stderr.write("usage: bench_runs.py [--runs N] [--raw] -- COMMAND [ARG...]\n")
    sys.exit(2)


def parse_args(argv):
    runs, raw = 5, False
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--runs" and i + 1 < len(argv):
            try:
                runs = int(argv[i + 1])
            except ValueError:
                usage("--runs needs a whole number, not %r" % argv[i + 1])
            i += 2
        elif argv[i] == "--raw":
            raw = True
            i += 1
        else:
            usage("unknown argument %r" % argv[i])
    if runs < 1:
        usage("--runs must be at least 1")
    command = argv[i + 1:]
    if not command:
        usage("no command after --")
    return runs, raw, command


def is_table_line(line):
    return line.lstrip().startswith("|")


def split_cells(line):
    cells = line.strip()
    if cells.startswith("|"):
        cells = cells[1:]
    if cells.endswith("|"):
        cells = cells[:-1]
    return [c.strip() for c in cells.split("|")]


def blocks_of(lines):
    """The output as a list of blocks: ("text", line) or ("table", header,
    separator, [row cells...])."""
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        if (is_table_line(line) and i + 1 < len(lines)
                and SEPARATOR.match(lines[i + 1].strip())):
            header, separator = line, lines[i + 1]
            i += 2
            rows = []
            while i < len(lines) and is_table_line(lines[i]):
                rows.append(split_cells(lines[i]))
                i += 1
            blocks.append(("table", header, separator, rows))
        else:
            blocks.append(("text", line))
            i += 1
    return blocks


def shape(cell):
    """The cell's text with every number replaced by a placeholder, and its
    numbers in order."""
    return NUMBER.sub("#", cell), NUMBER.findall(cell)


def decimals(token):
    return len(token.split(".")[1]) if "." in token else 0


def value(token):
    return float(token.replace(",", ""))


def render(number, places, commas):
    text = "{:,.{p}f}".format(number, p=places) if commas else "{:.{p}f}".format(number, p=places)
    if text in ("-0", "-0.0") or re.fullmatch(r"-0\.0+", text):
        text = text[1:]
    return text


def aggregate_number(tokens):
    if all(t == tokens[0] for t in tokens):
        return tokens[0]
    places = max(decimals(t) for t in tokens)
    commas = any("," in t for t in tokens)
    values = [value(t) for t in tokens]
    low, mid, high = min(values), statistics.median(values), max(values)
    dash = " to " if low < 0 else "-"
    return "%s [%s%s%s]" % (render(mid, places, commas), render(low, places, commas), dash,
                            render(high, places, commas))


class ShapeError(Exception):
    pass


def aggregate_cell(cells, where):
    template, first_numbers = shape(cells[0])
    per_run = [first_numbers]
    for run, cell in enumerate(cells[1:], start=2):
        other_template, numbers = shape(cell)
        if other_template != template or len(numbers) != len(first_numbers):
            raise ShapeError("%s: run 1 printed %r, run %d %r" % (where, cells[0], run, cell))
        per_run.append(numbers)
    merged = [aggregate_number([numbers[k] for numbers in per_run])
              for k in range(len(first_numbers))]
    pieces = template.split("#")
    out = pieces[0]
    for k, number in enumerate(merged):
        out += number + pieces[k + 1]
    return out


def aggregate(outputs):
    """The first output's blocks, tables aggregated over every output."""
    all_blocks = [blocks_of(o.splitlines()) for o in outputs]
    first = all_blocks[0]
    first_tables = [b for b in first if b[0] == "table"]
    tables_per_run = [[b for b in blocks if b[0] == "table"] for blocks in all_blocks]
    for run, tables in enumerate(tables_per_run[1:], start=2):
        if len(tables) != len(first_tables):
            raise ShapeError("run 1 printed %d table(s), run %d %d" %
                             (len(first_tables), run, len(tables)))
    lines, table_index = [], 0
    for block in first:
        if block[0] == "text":
            lines.append(block[1])
            continue
        _, header, separator, rows = block
        columns = split_cells(header)
        name = "table %d (%s)" % (table_index + 1, header.strip())
        for run, tables in enumerate(tables_per_run[1:], start=2):
            if len(tables[table_index][3]) != len(rows):
                raise ShapeError("%s: run 1 printed %d row(s), run %d %d" %
                                 (name, len(rows), run, len(tables[table_index][3])))
        lines.append(header)
        lines.append(separator)
        for r, row in enumerate(rows):
            out_cells = []
            for c in range(len(row)):
                column = columns[c] if c < len(columns) else str(c + 1)
                where = "%s, row %d, column %r" % (name, r + 1, column)
                cells = []
                for run, tables in enumerate(tables_per_run, start=1):
                    other = tables[table_index][3][r]
                    if len(other) != len(row):
                        raise ShapeError("%s, row %d: run 1 printed %d cells, run %d %d" %
                                         (name, r + 1, len(row), run, len(other)))
                    cells.append(other[c])
                out_cells.append(aggregate_cell(cells, where))
            lines.append("| " + " | ".join(out_cells) + " |")
        table_index += 1
    return lines


def main(argv):
    runs, raw, command = parse_args(argv)
    shown = " ".join(command)
    outputs = []
    for run in range(1, runs + 1):
        sys.stderr.write("bench_runs: run %d/%d: %s\n" % (run, runs, shown))
        sys.stderr.flush()
        try:
            done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        except OSError as e:
            sys.stderr.write("bench_runs: cannot run %s: %s\n" % (command[0], e.strerror))
            return 1
        if raw:
            for line in done.stdout.splitlines():
                sys.stderr.write("[run %d/%d] %s\n" % (run, runs, line))
        if done.returncode != 0:
            sys.stdout.write(done.stdout)
            sys.stdout.flush()
            how = ("killed by signal %d" % -done.returncode if done.returncode < 0
                   else "exited with status %d" % done.returncode)
            sys.stderr.write("bench_runs: run %d/%d of %s %s; no figures aggregated\n" %
                             (run, runs, shown, how))
            return done.returncode if done.returncode > 0 else 1
        outputs.append(done.stdout)
    try:
        lines = aggregate(outputs)
    except ShapeError as e:
        sys.stderr.write("bench_runs: %s: the runs do not agree: %s\n" % (shown, e))
        return 1
    if runs == 1:
        print("%s (1 run)" % shown)
    else:
        print("%s (%d runs; each figure: median [min-max] over the runs, or the one value "
              "every run gave)" % (shown, runs))
    print()
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
