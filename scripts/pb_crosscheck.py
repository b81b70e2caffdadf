#!/usr/bin/env python3
"""Cross-check Hearth's participatory-budgeting rules against pabutools.

Not part of CI. Needs `pip install pabutools blake3` (a venv is fine):

    python3 -m venv /tmp/pbvenv && /tmp/pbvenv/bin/pip install pabutools blake3
    /tmp/pbvenv/bin/python scripts/pb_crosscheck.py            # print expectations
    /tmp/pbvenv/bin/python scripts/pb_crosscheck.py --generate # (re)write random instances

For every `.pb` file under protocol/src/tally/pb/data (the real pabulib
instances and the random ones under crosscheck/), it runs pabutools'
rules configured as Hearth defines its own (protocol/src/tally/pb.rs):

  greedy           greedy_utilitarian_welfare, Cost_Sat (approval: density =
                   approvals) or points × cost (cumulative: total points)
  greedy-cost      greedy_utilitarian_welfare, Cardinality_Sat (approvals per
                   cost) or Additive_Cardinal_Sat (points per cost)
  mes              method_of_equal_shares, Cost_Sat (approval) or
                   Additive_Cardinal_Sat (cumulative)
  mes-add1         equalshares.net's "Add1" completion (pabulib's
                   `rule;equalshares/add1`), run here as a loop over pabutools'
                   MES (`method_of_equal_shares_scheme`) with the share B/n,
                   B/n + 1, ...: each next outcome is taken while it costs at
                   most the budget, the first one that costs more ends it, and
                   an outcome funding every project with votes ends it too.
                   NOT `method_of_equal_shares(voter_budget_increment=1)`:
                   pabutools' iterated MES also stops at the first exhaustive
                   outcome, which the official rule does not (Wieliczka 2023's
                   official result is only reached past it).
  mes-add1-greedy  mes-add1, then greedy_utilitarian_welfare (as greedy) from it

with Hearth's tie-breaking (more votes, then lower cost, then the lot
`draw_order(seed, 0, all projects)`, reimplemented here with blake3), and
prints the selected project ids (in selection order) as Rust rows for the
`PABUTOOLS` table in protocol/src/tally/pb/tests_tables.rs (new data files
also need a row in its `FILES` table). Projects with no votes are dropped from
pabutools' outcomes: Hearth never funds them (pabutools' greedy does when
money is left, and only at the end, so nothing else changes).

For the files whose META names an Equal Shares rule (`rule;equalshares...`,
the real municipal instances), it also prints, as a comment, whether
mes-add1 selects the file's official `selected` set.
"""

import csv
import random
import sys
from pathlib import Path

import blake3
from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat
from pabutools.election.instance import total_cost
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.election.profile import AbstractApprovalProfile
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.fractions import frac
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.rules.budgetallocation import BudgetAllocation
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
from pabutools.tiebreaking import TieBreakingRule

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "protocol" / "src" / "tally" / "pb" / "data"
RULES = ["greedy", "greedy-cost", "mes", "mes-add1", "mes-add1-greedy"]
# The seed the Rust tests use: Hash::of("hearth pb crosscheck", b"").
SEED = blake3.blake3(b"", derive_key_context="hearth pb crosscheck").digest()


def draw_order(seed: bytes, rnd: int, candidates: list[int]) -> list[int]:
    """protocol/src/tally.rs `draw_order`."""
    keyed = []
    for c in candidates:
        data = seed + rnd.to_bytes(4, "little") + c.to_bytes(4, "little")
        keyed.append((blake3.blake3(data, derive_key_context="hearth v1 tie draw").digest(), c))
    keyed.sort()
    return [c for _, c in keyed]


class PointsCostSat(AdditiveSatisfaction):
    """Satisfaction points × cost: greedy density = total points."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, lambda i, p, b, proj, pre: b.get(proj, 0) * proj.cost)


def equal_shares_add1(instance, profile, sat_class, tie_breaking, fundable) -> BudgetAllocation:
    """equalshares.net's Add1 completion over pabutools' MES (see the docstring)."""
    if profile.num_ballots() == 0:
        return BudgetAllocation()
    sat_profile = profile.as_sat_profile(sat_class=sat_class)
    binary = isinstance(profile, AbstractApprovalProfile)

    def count(share):
        return method_of_equal_shares_scheme(
            instance, profile, sat_profile, share, BudgetAllocation(), tie_breaking, binary_sat=binary
        )

    share = frac(instance.budget_limit, profile.num_ballots())
    outcome = count(share)
    while not fundable <= {p.name for p in outcome}:
        share += 1
        following = count(share)
        if total_cost(following) > instance.budget_limit:
            break
        outcome = following
    return outcome


def expectations(text: str) -> dict[str, list[str]]:
    instance, profile = parse_pabulib_from_string(text)
    order = [line.split(";")[0].strip() for line in section(text, "projects")[1:]]
    index = {name: i for i, name in enumerate(order)}
    cumulative = instance.meta["vote_type"] == "cumulative"
    votes = {p.name: 0 for p in instance}
    for ballot in profile:
        for p in ballot:
            votes[p.name] += ballot[p] if cumulative else 1
    lot = {p: rank for rank, p in enumerate(draw_order(SEED, 0, list(range(len(order)))))}
    cost = {p.name: p.cost for p in instance}
    tie = TieBreakingRule(lambda inst, prof, proj: (-votes[proj.name], cost[proj.name], lot[index[proj.name]]))
    mes_sat = Additive_Cardinal_Sat if cumulative else Cost_Sat
    greedy_sat = PointsCostSat if cumulative else Cost_Sat
    ratio_sat = Additive_Cardinal_Sat if cumulative else Cardinality_Sat
    mes = dict(sat_class=mes_sat, tie_breaking=tie)
    greedy = dict(sat_class=greedy_sat, tie_breaking=tie)
    fundable = {name for name, v in votes.items() if v > 0 and cost[name] > 0}
    add1 = equal_shares_add1(instance, profile, mes_sat, tie, fundable)
    outcomes = {
        "greedy": greedy_utilitarian_welfare(instance, profile, **greedy),
        "greedy-cost": greedy_utilitarian_welfare(instance, profile, sat_class=ratio_sat, tie_breaking=tie),
        "mes": method_of_equal_shares(instance, profile, **mes),
        "mes-add1": add1,
        "mes-add1-greedy": greedy_utilitarian_welfare(
            instance, profile, initial_budget_allocation=BudgetAllocation(add1), **greedy
        ),
    }
    return {rule: [p.name for p in outcome if votes[p.name] > 0] for rule, outcome in outcomes.items()}


def section(text: str, name: str) -> list[str]:
    lines, inside = [], False
    for line in text.splitlines():
        head = line.split(";")[0].strip().lower()
        if head in ("meta", "projects", "votes"):
            inside = head == name
            continue
        if inside and line.strip():
            lines.append(line)
    return lines


def generate(rng: random.Random, name: str, cumulative: bool, projects: int, voters: int) -> str:
    # Costs on a coarse grid so that equal costs (and so ties) happen.
    costs = [rng.randint(1, 20) * rng.choice([50, 100, 250]) for _ in range(projects)]
    popularity = [rng.random() for _ in range(projects)]
    budget = sum(costs) * rng.randint(25, 60) // 100
    rows = []
    for v in range(voters):
        chosen = [p for p in range(projects) if rng.random() < popularity[p] * 0.6]
        rng.shuffle(chosen)
        if cumulative:
            # pabutools cannot read an empty cumulative vote.
            chosen = chosen[:5] or [rng.randrange(projects)]
            points = [rng.randint(1, 3) for _ in chosen]
            rows.append(f"v{v};{','.join(f'p{p}' for p in chosen)};{','.join(map(str, points))}")
        else:
            rows.append(f"v{v};{','.join(f'p{p}' for p in chosen)}")
    vote_type = "cumulative" if cumulative else "approval"
    meta = [
        "META",
        "key;value",
        f"description;Random instance {name} for pabutools cross-checks (scripts/pb_crosscheck.py)",
        f"num_projects;{projects}",
        f"num_votes;{voters}",
        f"budget;{budget}",
        f"vote_type;{vote_type}",
    ]
    if cumulative:
        meta.append("max_sum_points;15")
    header = "voter_id;vote;points" if cumulative else "voter_id;vote"
    lines = meta + ["PROJECTS", "project_id;cost;name"]
    lines += [f"p{p};{costs[p]};Project {p}" for p in range(projects)]
    lines += ["VOTES", header] + rows
    return "\n".join(lines) + "\n"


def write_random() -> None:
    out = DATA / "crosscheck"
    out.mkdir(exist_ok=True)
    rng = random.Random(20240601)
    shapes = [(False, 5, 12), (False, 6, 30), (False, 8, 40), (False, 10, 60), (False, 12, 25),
              (False, 7, 9), (False, 15, 120), (False, 20, 300), (True, 6, 20), (True, 8, 40),
              (True, 10, 70), (True, 12, 150)]
    for i, (cumulative, projects, voters) in enumerate(shapes):
        name = f"random-{i:02}-{'cumulative' if cumulative else 'approval'}"
        (out / f"{name}.pb").write_text(generate(rng, name, cumulative, projects, voters))


def main() -> None:
    if "--generate" in sys.argv:
        write_random()
    files = sorted(DATA.glob("*.pb")) + sorted((DATA / "crosscheck").glob("*.pb"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        result = expectations(text)
        rel = path.relative_to(DATA)
        for rule in RULES:
            ids = ", ".join(f'"{i}"' for i in result[rule])
            print(f'    ("{rel}", "{rule}", &[{ids}]),')
        official = official_rule(text)
        if official is not None:
            match = sorted(result["mes-add1"]) == sorted(official_selected(text))
            print(f"    // {rel}: official rule {official}; mes-add1 matches its `selected`: {match}")
        sys.stdout.flush()


def official_rule(text: str) -> str | None:
    """The META `rule` if it is an Equal Shares one."""
    for line in section(text, "meta"):
        key, _, value = line.partition(";")
        if key.strip() == "rule" and value.strip().startswith("equalshares"):
            return value.strip()
    return None


def official_selected(text: str) -> list[str]:
    """The ids whose `selected` column is 1."""
    rows = list(csv.reader(section(text, "projects"), delimiter=";"))
    column = [c.strip() for c in rows[0]].index("selected")
    return [row[0].strip() for row in rows[1:] if row[column].strip() == "1"]


if __name__ == "__main__":
    main()
