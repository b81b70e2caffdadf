#!/usr/bin/env python3
"""Python reference timings for `cargo bench -p hearth-protocol --bench tally`.

Kept out of CI. The bench binary writes each input to a temporary file, counts
it with Hearth, then runs this script on the same file and prints both times,
their ratio and whether the results agree. The script can also be run by hand
on such a file (the bench prints where it put them with HEARTH_BENCH_KEEP=1).

Subcommands (each reads its input untimed, then times only the count):

  majority FILE [--interned]
                    Liquid-delegation resolution + majority count, written
                    here in plain Python (no pip package does liquid
                    delegation). FILE is the bench's binary format: three
                    little-endian u64 counts (eligible, ballots, delegations),
                    then the eligible keys (32 bytes each), the ballots (key +
                    one byte: 0 yes, 1 no, 2 abstain) and the delegations
                    (delegator key + delegate key). By default it works on
                    dicts and sets keyed by the 32-byte keys. With
                    --interned, the members are first interned, untimed, as
                    Hearth's ingest does (sorted keys become list indices),
                    and the same algorithm runs on lists of ints.
  stv FILE --rule scottish|meek|votekit
                    pref_voting's `stv_scottish` (SSI 2007/42, floats with
                    5-decimal truncation) or `stv_meek` (Hill-Wichmann-
                    Woodall, floats, tol 1e-10) on a .blt file; identical
                    ballots are grouped first (inside the timing), as Hearth
                    does. `votekit`: votekit's numpy `FastSTV` (fractional
                    transfer, Droop quota: the closest votekit rule to the
                    Scottish one, not the same); it also prints the time of
                    the count without building votekit's profile.
  pb FILE           equalshares.net's "Add1" completion of MES, the rule
                    protocol/src/tally/pb.rs implements as `mes-add1`, on an
                    approval .pb file: pabutools' `method_of_equal_shares(
                    sat_class=Cost_Sat, voter_budget_increment=1)` with its
                    stop test `instance.is_exhaustive` replaced by "every
                    project with a vote is funded" (pabutools' own test
                    stops at the first exhaustive outcome, a different
                    rule; scripts/pb_crosscheck.py checks the same Add1 as
                    a plain loop), with Hearth's tie rule (more votes, then
                    lower cost; the bench's instances have distinct costs,
                    so its lot is never needed).
  versions          The interpreter's and the packages' versions.

Options: --repeat N (timed runs, default 3) and --timeout S (wall-clock limit
for all runs together, default 300). A run still going at the limit is
stopped (SIGALRM): if it was the first, that is reported as `timeout S`, else
it is just not counted; further runs are skipped once the next would probably
not finish in time. For `pb`, a timed-out add1 run reports how many MES
counts it had finished (the whole can be estimated from the number of
counts Hearth needed), then one plain MES count (`voter_budget_increment=
None`) is run, whose result the bench checks against Hearth's `mes`.

Output, one item per line, for the bench to read:

  times T1 T2 ...      seconds per completed run
  timeout S            a run was stopped after S seconds
  count_times T1 ...   stv --rule votekit: the count alone, per run
  mes_counts N         pb only, after a timeout: MES counts the stopped run
                       had finished (for an estimate of the whole)
  mes_result K=V       pb only, after a timeout: the result of one plain MES
                       count (to check against Hearth's `mes`)
  result K=V ...       the result, in the same form the bench prints Hearth's

Setup (once):

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install pref_voting votekit pabutools
"""

import argparse
import collections
import functools
import random
import signal
import struct
import sys
import time


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def timed_runs(run, repeat, timeout):
    """Calls `run()` up to `repeat` times within `timeout` seconds in all.
    Returns (times, last result, timed_out)."""
    signal.signal(signal.SIGALRM, _alarm)
    times, result, started = [], None, time.perf_counter()
    for _ in range(repeat):
        left = timeout - (time.perf_counter() - started)
        if left <= 0 or (times and 1.2 * max(times) > left):
            break
        signal.setitimer(signal.ITIMER_REAL, left)
        try:
            t0 = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - t0)
        except Timeout:
            # Only a first run that does not finish is a timeout; a later
            # one is just not counted.
            return times, result, not times
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return times, result, False


def report(times, result, timed_out, timeout):
    print("times " + " ".join(f"{t:.6f}" for t in times))
    if timed_out:
        print(f"timeout {timeout:g}")
    if result is not None:
        print("result " + result)
    sys.stdout.flush()


# --- Majority with liquid delegation -------------------------------------

YES, NO, ABSTAIN = 0, 1, 2
LOOP, DEAD_END, INELIGIBLE, ON_PATH = "loop", "dead_end", "ineligible", "on_path"


def read_majority(path):
    with open(path, "rb") as f:
        data = f.read()
    n_eligible, n_ballots, n_delegations = struct.unpack_from("<QQQ", data, 0)
    off = 24
    eligible = set()
    for _ in range(n_eligible):
        eligible.add(data[off : off + 32])
        off += 32
    ballots = {}
    for _ in range(n_ballots):
        ballots[data[off : off + 32]] = data[off + 32]
        off += 33
    delegate_of = {}
    for _ in range(n_delegations):
        delegate_of[data[off : off + 32]] = data[off + 32 : off + 64]
        off += 64
    assert off == len(data), "trailing bytes in the majority input"
    return eligible, ballots, delegate_of


def tally_majority(eligible, ballots, delegate_of):
    """The same semantics as protocol/src/tally/delegation.rs: a direct vote
    overrides the voter's own delegation; a non-voter follows delegations to
    the first voter; a loop, or a chain ending at a member who neither voted
    nor delegated or at a non-eligible key, counts for nobody. Returns the
    report (weights per voter, who represents whom, who is uncounted)."""
    weight, uncounted = {}, {}
    for voter in ballots:
        if voter in eligible:
            weight[voter] = 1
        else:
            uncounted[voter] = INELIGIBLE
    fate, absent = {}, 0
    for member in eligible:
        if member in weight or member in fate:
            continue
        if member not in delegate_of:
            absent += 1
            continue
        path, at = [], member
        while True:
            if at in weight:
                end = at
                break
            known = fate.get(at)
            if known is ON_PATH:
                end = LOOP
                break
            if known is not None:
                end = known
                break
            if at not in eligible:
                end = DEAD_END
                break
            nxt = delegate_of.get(at)
            if nxt is None:
                # A member who did not delegate: stays absent, chain is lost.
                end = DEAD_END
                break
            fate[at] = ON_PATH
            path.append(at)
            at = nxt
        for m in path:
            fate[m] = end
    represented_by = {}
    for m, f in fate.items():
        if f is LOOP or f is DEAD_END:
            uncounted[m] = f
        else:
            weight[f] += 1
            represented_by[m] = f
    sums = [0, 0, 0]
    for voter, w in weight.items():
        sums[ballots[voter]] += w
    yes, no, abstain = sums
    turnout = yes + no + abstain
    n = len(eligible)
    # Default regional rules: quorum 1/5 of eligible, threshold 3/5 of yes + no.
    if not (n > 0 and turnout * 5 >= n * 1):
        outcome = "quorum_not_met"
    elif yes + no > 0 and yes * 5 >= (yes + no) * 3:
        outcome = "passed"
    else:
        outcome = "threshold"
    loops = sum(1 for v in uncounted.values() if v is LOOP)
    dead_ends = sum(1 for v in uncounted.values() if v is DEAD_END)
    return (
        f"yes={yes} no={no} abstain={abstain} turnout={turnout} "
        f"represented={len(represented_by)} loops={loops} dead_ends={dead_ends} "
        f"absent={absent} outcome={outcome}"
    )


NOBODY, OUTSIDE = -1, -2
I_ON_PATH, I_LOOP, I_DEAD_END = -3, -4, -5


def intern_majority(eligible, ballots, delegate_of):
    """Hearth's ingest for its indexed tally: member i is the i-th eligible
    key in sorted order; each member's ballot (or None) and delegate (an
    index, NOBODY or OUTSIDE) go in lists indexed by member. Ballots from
    keys that are not eligible count for nobody and are left out."""
    keys = sorted(eligible)
    index = {key: i for i, key in enumerate(keys)}
    ballot = [None] * len(keys)
    for voter, b in ballots.items():
        i = index.get(voter)
        if i is not None:
            ballot[i] = b
    delegate = [NOBODY] * len(keys)
    for frm, to in delegate_of.items():
        i = index.get(frm)
        if i is not None:
            delegate[i] = index.get(to, OUTSIDE)
    return ballot, delegate


def tally_majority_interned(ballot, delegate):
    """`tally_majority` on interned members: the same walk with memoised
    fates, over lists of ints instead of dicts keyed by bytes. A fate is the
    index of the voter a member is counted with, or a marker."""
    n = len(ballot)
    fate = [None] * n
    weight = [0] * n
    for i in range(n):
        if ballot[i] is not None:
            fate[i] = i
            weight[i] = 1
    absent = 0
    for member in range(n):
        if fate[member] is not None:
            continue
        if delegate[member] == NOBODY:
            absent += 1
            continue
        path, at = [], member
        while True:
            known = fate[at]
            if known == I_ON_PATH:
                end = I_LOOP
                break
            if known is not None:
                end = known
                break
            nxt = delegate[at]
            if nxt == NOBODY:
                # A member who did not delegate: stays absent, chain is lost.
                end = I_DEAD_END
                break
            fate[at] = I_ON_PATH
            path.append(at)
            if nxt == OUTSIDE:
                end = I_DEAD_END
                break
            at = nxt
        for m in path:
            fate[m] = end
    represented = loops = dead_ends = 0
    for i in range(n):
        f = fate[i]
        if f is None or f == i:
            continue
        if f == I_LOOP:
            loops += 1
        elif f == I_DEAD_END:
            dead_ends += 1
        else:
            weight[f] += 1
            represented += 1
    sums = [0, 0, 0]
    for i in range(n):
        if ballot[i] is not None:
            sums[ballot[i]] += weight[i]
    yes, no, abstain = sums
    turnout = yes + no + abstain
    # Default regional rules: quorum 1/5 of eligible, threshold 3/5 of yes + no.
    if not (n > 0 and turnout * 5 >= n * 1):
        outcome = "quorum_not_met"
    elif yes + no > 0 and yes * 5 >= (yes + no) * 3:
        outcome = "passed"
    else:
        outcome = "threshold"
    return (
        f"yes={yes} no={no} abstain={abstain} turnout={turnout} "
        f"represented={represented} loops={loops} dead_ends={dead_ends} "
        f"absent={absent} outcome={outcome}"
    )


def cmd_majority(args):
    eligible, ballots, delegate_of = read_majority(args.file)
    if args.interned:
        ballot, delegate = intern_majority(eligible, ballots, delegate_of)
        del eligible, ballots, delegate_of

        def run():
            return tally_majority_interned(ballot, delegate)
    else:

        def run():
            return tally_majority(eligible, ballots, delegate_of)

    times, result, timed_out = timed_runs(run, args.repeat, args.timeout)
    report(times, result, timed_out, args.timeout)


# --- STV ------------------------------------------------------------------


def read_blt(path):
    """A .blt reader for the bench's own files: header, ballot lines of
    `weight c1 c2 ... 0`, `0`, quoted names, quoted title (no withdrawn line,
    no comments)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    n, seats = map(int, lines[0].split())
    ballots, i = [], 1
    while lines[i].strip() != "0":
        nums = list(map(int, lines[i].split()))
        assert nums[-1] == 0, f"line {i + 1}: ballot not ended by 0"
        ballots.append((nums[0], tuple(c - 1 for c in nums[1:-1])))
        i += 1
    names = [line.strip().strip('"') for line in lines[i + 1 : i + 1 + n]]
    return names, seats, ballots


def count_stv(names, seats, ballots, rule):
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_meek, stv_scottish

    grouped = collections.Counter()
    for weight, ranking in ballots:
        grouped[ranking] += weight
    rankings = [{c: r + 1 for r, c in enumerate(ranking)} for ranking in grouped]
    profile = ProfileWithTies(
        rankings, rcounts=list(grouped.values()), candidates=list(range(len(names)))
    )
    if rule == "scottish":
        elected = stv_scottish(profile, num_seats=seats, rng=random.Random(0))
    else:
        elected = stv_meek(profile, num_seats=seats)
    return "winners=" + ",".join(sorted(names[c] for c in elected))


COUNT_TIMES = []


def count_votekit(names, seats, ballots):
    """votekit's numpy STV (`FastSTV`: Droop quota, fractional transfer of
    all the winner's ballots at (votes - quota) / votes, simultaneous
    election, floats) -- a weighted inclusive Gregory count like the
    Scottish rule, without its 5-decimal truncation and one-at-a-time
    surpluses. The time of the count alone goes to COUNT_TIMES."""
    from votekit.ballot import RankBallot
    from votekit.elections import FastSTV
    from votekit.pref_profile import RankProfile

    grouped = collections.Counter()
    for weight, ranking in ballots:
        grouped[ranking] += weight
    profile = RankProfile(
        ballots=[
            RankBallot(ranking=tuple(frozenset({names[c]}) for c in ranking), weight=weight)
            for ranking, weight in grouped.items()
        ],
        candidates=names,
    )
    t0 = time.perf_counter()
    election = FastSTV(profile, n_seats=seats)
    elected = [c for s in election.get_elected() for c in s]
    COUNT_TIMES.append(time.perf_counter() - t0)
    return "winners=" + ",".join(sorted(elected))


def cmd_stv(args):
    # Imported before the clock starts (the first run would pay for it).
    if args.rule == "votekit":
        import votekit.elections  # noqa: F401
    else:
        import pref_voting.proportional_methods  # noqa: F401
    names, seats, ballots = read_blt(args.file)
    if args.rule == "votekit":
        run = functools.partial(count_votekit, names, seats, ballots)
    else:
        run = functools.partial(count_stv, names, seats, ballots, args.rule)
    times, result, timed_out = timed_runs(run, args.repeat, args.timeout)
    report(times, result, timed_out, args.timeout)
    if COUNT_TIMES:
        print("count_times " + " ".join(f"{t:.6f}" for t in COUNT_TIMES[: len(times)]))


# --- Participatory budgeting: MES add1 -----------------------------------


def mes_add1(instance, profile, increment):
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    votes = collections.Counter()
    for ballot in profile:
        for p in ballot:
            votes[p.name] += 1
    # Hearth's TIE_RULE: more votes first, then the lower cost (then a lot
    # that the bench's distinct costs never reach).
    tie = TieBreakingRule(lambda inst, prof, proj: (-votes[proj.name], proj.cost))
    outcome = method_of_equal_shares(
        instance,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=tie,
        voter_budget_increment=increment,
    )
    return "selected=" + ",".join(p.name for p in outcome)


def cmd_pb(args):
    from pabutools.election import parse_pabulib
    from pabutools.rules import method_of_equal_shares  # noqa: F401 (imported untimed)

    instance, profile = parse_pabulib(args.file)
    costs = [p.cost for p in instance]
    assert len(set(costs)) == len(costs), "the bench's instances have distinct costs"
    # pabutools' add1 loop asks `instance.is_feasible` once per MES count:
    # counting those calls tells how far a stopped run got.
    counts = [0]
    is_feasible = instance.is_feasible

    def counting(*a, **k):
        counts[0] += 1
        return is_feasible(*a, **k)

    instance.is_feasible = counting
    # pabutools' loop also stops at the first exhaustive outcome; Add1 stops
    # only at an infeasible one, or once every project with a vote is funded
    # (no raise could overspend then). Only pabutools' own stop test changes.
    fundable = {p.name for ballot in profile for p in ballot}
    instance.is_exhaustive = lambda outcome, available_projects=None: fundable <= {
        p.name for p in outcome
    }

    def run():
        counts[0] = 0
        return mes_add1(instance, profile, 1)

    times, result, timed_out = timed_runs(run, args.repeat, args.timeout)
    report(times, result, timed_out, args.timeout)
    if timed_out:
        print(f"mes_counts {counts[0]}")
        # One plain MES count, for a check against Hearth's `mes`.
        plain = mes_add1(instance, profile, None)
        print(f"mes_result {plain}")


def cmd_versions(_args):
    from importlib import metadata

    print(f"python {sys.version.split()[0]}")
    for package in ["pref_voting", "votekit", "pabutools", "gmpy2", "numpy"]:
        try:
            print(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            print(f"{package} missing")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ["majority", "stv", "pb"]:
        p = sub.add_parser(name)
        p.add_argument("file")
        p.add_argument("--repeat", type=int, default=3)
        p.add_argument("--timeout", type=float, default=300.0)
        if name == "stv":
            p.add_argument("--rule", choices=["scottish", "meek", "votekit"], required=True)
        if name == "majority":
            p.add_argument("--interned", action="store_true")
    sub.add_parser("versions")
    args = parser.parse_args()
    {"majority": cmd_majority, "stv": cmd_stv, "pb": cmd_pb, "versions": cmd_versions}[
        args.command
    ](args)


if __name__ == "__main__":
    main()
