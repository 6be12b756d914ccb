#!/usr/bin/env python3
"""Tests of bench_runs.py: it is run on a fake benchmark (a Python script in a
temporary directory that prints the table of its K-th run) and its output,
standard error and exit status are compared with what a user would see."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "bench_runs.py")

# The fake benchmark: prints OUTPUTS[k] on its k-th run (counted in a state
# file) and exits with STATUSES[k].
FAKE = textwrap.dedent("""\
    import json, sys
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    state = sys.argv[1] + ".count"
    try:
        with open(state) as f:
            k = int(f.read())
    except FileNotFoundError:
        k = 0
    with open(state, "w") as f:
        f.write(str(k + 1))
    sys.stdout.write(spec["outputs"][k])
    sys.exit(spec["statuses"][k])
""")


class BenchRunsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.fake = os.path.join(self.dir.name, "fake_bench.py")
        with open(self.fake, "w") as f:
            f.write(FAKE)

    def tearDown(self):
        self.dir.cleanup()

    def run_runner(self, outputs, statuses=None, extra=None):
        spec = os.path.join(self.dir.name, "spec.json")
        with open(spec, "w") as f:
            json.dump({"outputs": outputs, "statuses": statuses or [0] * len(outputs)}, f)
        args = [sys.executable, RUNNER] + (extra or ["--runs", str(len(outputs))])
        args += ["--", sys.executable, self.fake, spec]
        done = subprocess.run(args, capture_output=True, text=True)
        runs_made = 0
        if os.path.exists(spec + ".count"):
            with open(spec + ".count") as f:
                runs_made = int(f.read())
        return done, runs_made

    def body(self, done):
        """Standard output without the first line (it names the command)."""
        return done.stdout.split("\n", 1)[1]

    def test_median_min_and_max_per_number(self):
        table = ("command: fake --users 1000\n\n"
                 "| users | wall | jobs/s | latency |\n"
                 "|---|---:|---:|---|\n"
                 "| 1,000 | %s s | %s | p50 %s us, p99 %s us |\n")
        done, runs = self.run_runner([table % ("1.25", "1000", "7", "70"),
                                      table % ("1.50", "1200", "7", "90"),
                                      table % ("1.00", "900", "7", "80")])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(runs, 3)
        self.assertEqual(self.body(done),
                         "\ncommand: fake --users 1000\n\n"
                         "| users | wall | jobs/s | latency |\n"
                         "|---|---:|---:|---|\n"
                         "| 1,000 | 1.25 [1.00-1.50] s | 1000 [900-1200] | p50 7 us, "
                         "p99 80 [70-90] us |\n")
        self.assertIn("(3 runs; each figure: median [min-max] over the runs", done.stdout)

    def test_even_count_takes_the_mean_of_the_middle_two_and_keeps_separators(self):
        table = "| a | b |\n|---|---|\n| %s | %s |\n"
        done, _ = self.run_runner([table % ("1.25", "10,000"), table % ("1.50", "12,500")])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.body(done),
                         "\n| a | b |\n|---|---|\n"
                         "| 1.38 [1.25-1.50] | 11,250 [10,000-12,500] |\n")

    def test_negative_range_is_written_with_to(self):
        table = "| delta |\n|---:|\n| %s B |\n"
        done, _ = self.run_runner([table % "-12", table % "30", table % "4"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.body(done), "\n| delta |\n|---:|\n| 4 [-12 to 30] B |\n")

    def test_several_tables_and_text_between_them(self):
        out = ("first\n| x |\n|---|\n| %s |\n| 5 |\nbetween\n| y | z |\n|---|---|\n"
               "| label | %s |\n")
        done, _ = self.run_runner([out % ("1", "0.1"), out % ("3", "0.3")])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.body(done),
                         "\nfirst\n| x |\n|---|\n| 2 [1-3] |\n| 5 |\nbetween\n"
                         "| y | z |\n|---|---|\n| label | 0.2 [0.1-0.3] |\n")

    def test_a_failed_run_stops_the_runs_and_passes_its_status_on(self):
        table = "| jobs/s | failed |\n|---:|---:|\n| %s | %s |\n"
        done, runs = self.run_runner([table % ("100", "0"), table % ("90", "3"),
                                      table % ("95", "0")], statuses=[0, 1, 0])
        self.assertEqual(done.returncode, 1)
        self.assertEqual(runs, 2)
        self.assertEqual(done.stdout, table % ("90", "3"))
        self.assertIn("bench_runs: run 2/3 of ", done.stderr)
        self.assertIn(" exited with status 1; no figures aggregated\n", done.stderr)

    def test_the_benchmarks_own_exit_status_is_kept(self):
        done, runs = self.run_runner(["usage: fake\n"], statuses=[2])
        self.assertEqual(done.returncode, 2)
        self.assertEqual(runs, 1)

    def test_runs_with_other_rows_are_refused(self):
        done, _ = self.run_runner(["| n |\n|---|\n| 1 |\n| 2 |\n", "| n |\n|---|\n| 1 |\n"])
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stdout, "")
        self.assertIn("the runs do not agree: table 1 (| n |): run 1 printed 2 row(s), run 2 1\n",
                      done.stderr)

    def test_a_cell_whose_words_differ_is_refused_naming_it(self):
        done, _ = self.run_runner(["| mode | n |\n|---|---|\n| fast | 1 |\n",
                                   "| mode | n |\n|---|---|\n| slow | 1 |\n"])
        self.assertEqual(done.returncode, 1)
        self.assertIn("table 1 (| mode | n |), row 1, column 'mode': run 1 printed 'fast', "
                      "run 2 'slow'\n", done.stderr)

    def test_another_number_of_tables_is_refused(self):
        done, _ = self.run_runner(["| n |\n|---|\n| 1 |\n", "no table\n"])
        self.assertEqual(done.returncode, 1)
        self.assertIn("run 1 printed 1 table(s), run 2 0\n", done.stderr)

    def test_raw_copies_every_run_to_standard_error(self):
        table = "| n |\n|---|\n| %s |\n"
        done, _ = self.run_runner([table % "1", table % "2"], extra=["--runs", "2", "--raw"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("[run 1/2] | 1 |\n", done.stderr)
        self.assertIn("[run 2/2] | 2 |\n", done.stderr)

    def test_bad_usage_exits_2(self):
        for args in (["--runs", "0"], ["--runs", "many"], ["--fast"]):
            done, runs = self.run_runner(["x\n"], extra=args)
            self.assertEqual(done.returncode, 2, args)
            self.assertEqual(runs, 0, args)
            self.assertIn("usage: bench_runs.py [--runs N] [--raw] -- COMMAND [ARG...]",
                          done.stderr)

    def test_a_command_that_cannot_start_fails(self):
        done = subprocess.run([sys.executable, RUNNER, "--runs", "1", "--",
                               os.path.join(self.dir.name, "missing")],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 1)
        self.assertIn("bench_runs: cannot run ", done.stderr)


if __name__ == "__main__":
    unittest.main()
