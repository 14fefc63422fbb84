"""Evaluates STL formulas with rtamt's discrete-time semantics over a CSV of
signals (first column `step`, sampled once per time unit) and prints, per
formula, one line of space-separated robustness values (one per step).

Usage: python3 rtamt_eval.py SIGNALS.csv FORMULAS.txt  (one rtamt formula a line)
"""
import csv
import sys

import rtamt


def main():
    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f))
    names = [n for n in rows[0].keys() if n != "step"]
    data = {"time": [int(r["step"]) for r in rows]}
    for n in names:
        data[n] = [float(r[n]) for r in rows]
    with open(sys.argv[2]) as f:
        formulas = [line.strip() for line in f if line.strip()]
    for text in formulas:
        spec = rtamt.StlDiscreteTimeSpecification()
        for n in names:
            spec.declare_var(n, "float")
        spec.spec = text
        spec.parse()
        out = spec.evaluate(data)
        print(" ".join(repr(float(v)) for _, v in out))


if __name__ == "__main__":
    main()
