#!/usr/bin/env python3
"""Cross-check Hearth's STV counts against pref_voting (kept out of CI).

Compares the winners of Hearth's `scottish` and `meek` rules with
pref_voting's `stv_scottish` (SSI 2007/42) and `stv_meek` (Hill–Wichmann–
Woodall, floating point) on the repository's .blt test data and on random
elections, and prints the agreement and the time each side took.

pref_voting's Meek is not the PR Foundation's fixed-point reference rule
(different precision and convergence test), so it can differ in genuine
near-ties; its Scottish count works in floating point with truncation to
five places. Exact ties decided by lot are reported as such, not as
disagreements.

Setup (once):

    python3 -m venv /tmp/stv-venv && /tmp/stv-venv/bin/pip install pref_voting

Run:

    /tmp/stv-venv/bin/python scripts/stv_crosscheck.py [--random 200] \
        [--counter 'hearth tally stv --rule {rule} --json {file}'] [FILE.blt ...]

`--counter` is the command that counts a file with Hearth; it must print
JSON with "winners" (names, in order elected) and the report's "ties"
(at the top level or under "report"), from which ties drawn by lot are
counted. `{rule}` and `{file}` are substituted.
"""

import argparse
import glob
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time

DEFAULT_COUNTER = (
    "cargo run -q --release -p hearth-cli -- tally stv --rule {rule} --json {file}"
)


def parse_blt(text):
    """A minimal .blt reader: (names, seats, withdrawn, [(weight, ranking)])."""
    tokens = []
    for line in text.splitlines():
        line = line.lstrip("\ufeff")
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "#":
                break
            if ch.isspace():
                i += 1
            elif ch == '"':
                end = line.index('"', i + 1)
                tokens.append(("q", line[i + 1 : end]))
                i = end + 1
            else:
                j = i
                while j < len(line) and not line[j].isspace() and line[j] not in '#"':
                    j += 1
                tokens.append(("w", line[i:j]))
                i = j
    pos = 0
    n, seats = int(tokens[0][1]), int(tokens[1][1])
    pos = 2
    withdrawn, ballots = [], []
    while tokens[pos][1] != "0":
        if tokens[pos][1].startswith("-"):
            withdrawn.append(int(tokens[pos][1][1:]) - 1)
            pos += 1
            continue
        weight = int(tokens[pos][1])
        pos += 1
        ranking = []
        while tokens[pos][1] != "0":
            ranking.append(int(tokens[pos][1]) - 1)
            pos += 1
        pos += 1
        ballots.append((weight, ranking))
    pos += 1
    names = [t[1] for t in tokens[pos : pos + n]]
    return names, seats, withdrawn, ballots


def write_blt(path, names, seats, ballots):
    with open(path, "w") as f:
        f.write(f"{len(names)} {seats}\n")
        for weight, ranking in ballots:
            f.write(" ".join([str(weight)] + [str(c + 1) for c in ranking] + ["0"]) + "\n")
        f.write("0\n")
        for name in names:
            f.write(f'"{name}"\n')
        f.write('"random"\n')


def reference_winners(names, seats, withdrawn, ballots, rule):
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_meek, stv_scottish

    rankings, counts = [], []
    for weight, ranking in ballots:
        ranking = [c for c in ranking if c not in withdrawn]
        if weight == 0 or not ranking:
            continue
        rankings.append({c: i + 1 for i, c in enumerate(ranking)})
        counts.append(weight)
    standing = [c for c in range(len(names)) if c not in withdrawn]
    profile = ProfileWithTies(rankings, rcounts=counts, candidates=standing)
    if rule == "scottish":
        elected = stv_scottish(profile, num_seats=seats, rng=random.Random(0))
    else:
        elected = stv_meek(profile, num_seats=seats)
    return {names[c] for c in elected}


def hearth_winners(counter, rule, path):
    command = [part.format(rule=rule, file=path) for part in shlex.split(counter)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    output = json.loads(out)
    # Ties drawn by lot: the report's "ties" (a list of tie breaks, each
    # with "by"), at the top level or under "report".
    ties = output.get("ties", output.get("report", {}).get("ties", []))
    lots = sum(1 for tie in ties if tie.get("by") == "Lot")
    return set(output["winners"]), lots


def random_election(rng):
    n = rng.randint(3, 9)
    seats = rng.randint(1, min(5, n - 1))
    # A few popular orderings plus noise, so that transfers matter.
    patterns = [rng.sample(range(n), rng.randint(1, n)) for _ in range(rng.randint(3, 12))]
    ballots = []
    for pattern in patterns:
        ballots.append((rng.randint(1, 400), pattern))
    for _ in range(rng.randint(0, 30)):
        ballots.append((rng.randint(1, 20), rng.sample(range(n), rng.randint(1, n))))
    names = [f"C{c}" for c in range(n)]
    return names, seats, [], ballots


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--random", type=int, default=0, help="random elections to add")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--counter", default=DEFAULT_COUNTER)
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = args.files or sorted(glob.glob(os.path.join(root, "protocol/tests/data/stv/*.blt")))
    cases = []
    for path in files:
        with open(path) as f:
            cases.append((os.path.basename(path), path, parse_blt(f.read())))

    tmp = tempfile.mkdtemp(prefix="stv-crosscheck-")
    rng = random.Random(args.seed)
    for i in range(args.random):
        election = random_election(rng)
        path = os.path.join(tmp, f"random-{i}.blt")
        write_blt(path, election[0], election[1], election[3])
        cases.append((f"random-{i}", path, election))

    totals = {"scottish": [0, 0, 0], "meek": [0, 0, 0]}  # agree, differ, lot
    times = {"hearth": 0.0, "pref_voting": 0.0}
    for label, path, (names, seats, withdrawn, ballots) in cases:
        for rule in ("scottish", "meek"):
            start = time.perf_counter()
            ours, lots = hearth_winners(args.counter, rule, path)
            times["hearth"] += time.perf_counter() - start
            start = time.perf_counter()
            theirs = reference_winners(names, seats, withdrawn, ballots, rule)
            times["pref_voting"] += time.perf_counter() - start
            if ours == theirs:
                totals[rule][0] += 1
            elif lots:
                totals[rule][2] += 1
                print(f"LOT {label} {rule}: hearth {sorted(ours)} pref_voting {sorted(theirs)}")
            else:
                totals[rule][1] += 1
                print(f"DIFFER {label} {rule}: hearth {sorted(ours)} pref_voting {sorted(theirs)}")
    for rule, (agree, differ, lot) in totals.items():
        print(f"{rule}: {agree} agree, {differ} differ, {lot} differ after a tie drawn by lot")
    print(
        f"time: hearth {times['hearth']:.2f} s (including process start-up), "
        f"pref_voting {times['pref_voting']:.2f} s"
    )
    return 1 if any(t[1] for t in totals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
