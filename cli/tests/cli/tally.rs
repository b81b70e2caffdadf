//! `hearth tally` on real published election files, offline: the winners
//! and selections it prints must be the published ones, its report and
//! result hash must be the protocol's own, and a malformed file must be
//! refused naming its line.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use hearth_protocol::Hash;
use hearth_protocol::tally::{blt, result_hash, stv};
use serde_json::Value;

use crate::support::{hearth, run, run_cmd};

/// A file of the protocol's test data.
fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../protocol")
        .join(path)
}

fn stv_file(name: &str) -> String {
    data(&format!("tests/data/stv/{name}"))
        .display()
        .to_string()
}

fn pb_file(name: &str) -> String {
    data(&format!("src/tally/pb/data/{name}"))
        .display()
        .to_string()
}

/// `hearth --json tally args…` in a scratch home.
fn tally_json(args: &[&str]) -> Value {
    let home = tempfile::tempdir().unwrap();
    let args = [&["--json", "tally"][..], args].concat();
    run(home.path(), &args).json()
}

/// A JSON array of strings.
fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

/// Glasgow City Council, 3 May 2007, ward 9 (Calton), 3 seats, 5 199 valid
/// papers (protocol/tests/data/stv/README.md): officially elected George
/// Redmond, Alison Thewliss and Ruth Simpson, in that order, quota 1300.
#[test]
fn stv_scottish_reproduces_the_calton_2007_result() {
    let file = stv_file("calton-2007.blt");
    let out = tally_json(&["stv", "--rule", "scottish", &file]);
    assert_eq!(
        strings(&out["winners"]),
        ["George Redmond", "Alison E Thewliss", "Ruth Simpson"]
    );
    assert_eq!(out["method"], "stv");
    assert_eq!(out["report"]["quota"], 1300 * 100_000);
    assert_eq!(out["report"]["valid_ballots"], 5199);
    assert_eq!(out["report"]["stages"].as_array().unwrap().len(), 10);

    // The seed is the file's hash, and the result hash is what the
    // protocol computes for the same count: what a node would attest to.
    let bytes = std::fs::read(&file).unwrap();
    let seed = Hash::of("hearth v1 tally seed", &bytes);
    assert_eq!(out["seed"], seed.to_hex());
    let election = blt::parse_blt(std::str::from_utf8(&bytes).unwrap()).unwrap();
    let report = stv::count(&election, stv::StvRule::Scottish, None, &seed).unwrap();
    assert_eq!(out["result_hash"], result_hash(&report).to_hex());
    assert_eq!(out["report"], serde_json::to_value(&report).unwrap());

    // People see the quota, the declared stage-7 figures and the order.
    let home = tempfile::tempdir().unwrap();
    let text = run(home.path(), &["tally", "stv", "--rule", "scottish", &file]).ok();
    assert!(text.starts_with("CALTON\n"), "{text}");
    assert!(text.contains("quota          1300.00000\n"), "{text}");
    assert!(text.contains(&seed.to_hex()), "{text}");
    // The stage table has a row per candidate and a column per stage.
    let stage7 = |who: &str| -> String {
        let row = text
            .lines()
            .skip_while(|l| !l.starts_with("Votes by stage"))
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("no row for {who} in:\n{text}"));
        let figures: Vec<&str> = row.split_whitespace().rev().take(10).collect();
        figures[10 - 7].to_owned()
    };
    assert_eq!(stage7("Ruth Simpson"), "1189.88661", "{text}");
    assert_eq!(stage7("Alison E Thewliss"), "1360.12945", "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("7  exclusion of ")
                && l.contains("; elected: Alison E Thewliss")),
        "{text}"
    );
    assert!(
        text.contains("Stage 2: surplus of George Redmond"),
        "{text}"
    );
    assert!(
        text.contains("\nElected: George Redmond, Alison E Thewliss, Ruth Simpson\nTies: none\n"),
        "{text}"
    );
}

/// Ward 10 (Anderston/City) of the same election, 4 seats: officially
/// Craig MacKay, Philip Braat, Gordon Matheson and Nina Baker; the count
/// elects Baker before Matheson.
#[test]
fn stv_scottish_reproduces_the_anderston_city_2007_result() {
    let out = tally_json(&[
        "stv",
        "--rule",
        "scottish",
        &stv_file("anderston-city-2007.blt"),
    ]);
    assert_eq!(
        strings(&out["winners"]),
        [
            "Craig MacKay",
            "Philip Braat",
            "Nina Baker",
            "Gordon Matheson"
        ]
    );
}

/// Green Party of the United States, Steering Committee 2005, 4 seats, by
/// the PR Foundation's reference Meek rule (Droop's reference count):
/// Rotzler and LaMarche in the first round, then Kramer, then Olsen. Read
/// from stdin; four candidates with no votes are excluded by lot, so the
/// seed shows in the ties but not in the winners.
#[test]
fn stv_meek_reproduces_the_gpus_2005_result_from_stdin() {
    let file = stv_file("gpus-2005.blt");
    let expected = [
        "Rebecca Rotzler",
        "Pat LaMarche",
        "Steve Kramer",
        "Kristen Olsen",
    ];
    let home = tempfile::tempdir().unwrap();
    let mut cmd = hearth(
        home.path(),
        &["--json", "tally", "stv", "--rule", "meek", "-"],
    );
    cmd.stdin(Stdio::from(std::fs::File::open(&file).unwrap()));
    let from_stdin = run_cmd(&mut cmd).json();
    assert_eq!(strings(&from_stdin["winners"]), expected);
    assert_eq!(from_stdin["report"]["rule"], "Meek");
    assert_eq!(from_stdin["report"]["ties"].as_array().unwrap().len(), 3);

    // The same bytes from a path give the same seed and the same count.
    let from_path = tally_json(&["stv", "--rule", "meek", &file]);
    assert_eq!(from_path["seed"], from_stdin["seed"]);
    assert_eq!(from_path["result_hash"], from_stdin["result_hash"]);

    // Another seed draws other lots (so another report), same winners.
    let seed = "a".repeat(64);
    let seeded = tally_json(&["stv", "--rule", "meek", "--seed", &seed, &file]);
    assert_eq!(seeded["seed"], seed);
    assert_ne!(seeded["result_hash"], from_path["result_hash"]);
    assert_eq!(strings(&seeded["winners"]), expected);

    let text = run(home.path(), &["tally", "stv", "--rule", "meek", &file]).ok();
    assert!(
        text.contains("\nElected: Rebecca Rotzler, Pat LaMarche, Steve Kramer, Kristen Olsen\n"),
        "{text}"
    );
    assert!(
        text.contains("quota          18.800000001 at first"),
        "{text}"
    );
    assert!(text.contains("; drawn by lot: "), "{text}");
    assert!(
        text.contains("Meek's method moves a fraction of every ballot"),
        "{text}"
    );
    let ties = from_path["count"]["ties"].as_array().unwrap();
    assert_eq!(ties[0]["by"], "lot");
    assert_eq!(ties[0]["tied"].as_array().unwrap().len(), 4);
    assert_eq!(ties[0]["drawn"], ties[0]["chosen"]);
    assert!(from_path["count"]["stages"][1]["parcels"].is_null());
}

#[test]
fn stv_seats_can_be_overridden() {
    let out = tally_json(&[
        "stv",
        "--rule",
        "scottish",
        "--seats",
        "2",
        &stv_file("calton-2007.blt"),
    ]);
    assert_eq!(out["report"]["seats"], 2);
    // Droop quota for 2 seats: ⌊5199 / 3⌋ + 1.
    assert_eq!(out["report"]["quota"], 1734 * 100_000);
    assert_eq!(strings(&out["winners"]).len(), 2);
    assert_eq!(out["winners"][0], "George Redmond");
}

/// The 45-voter example of Schulze (2011) and Wikipedia's "Schulze
/// method" article: 5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE,
/// 7 DCEBA, 8 EBADC. Winner E; ranking E > A > C > B > D.
const SCHULZE_45: &str = "\
5 1
5 1 3 2 5 4 0
5 1 4 5 3 2 0
8 2 5 4 1 3 0
3 3 1 2 5 4 0
7 3 1 5 2 4 0
2 3 2 1 4 5 0
7 4 3 5 2 1 0
8 5 2 1 4 3 0
0
\"A\"
\"B\"
\"C\"
\"D\"
\"E\"
\"Schulze 45 voters\"
";

#[test]
fn schulze_finds_the_wikipedia_example_winner() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schulze-45.blt");
    std::fs::write(&file, SCHULZE_45).unwrap();
    let file = file.display().to_string();

    let out = tally_json(&["schulze", &file]);
    assert_eq!(out["winner"], "E");
    assert_eq!(out["tied"], serde_json::json!([]));
    assert_eq!(out["drawn"], Value::Null);
    assert_eq!(out["report"]["unbeaten"], serde_json::json!([4]));
    assert_eq!(out["report"]["drawn"], false);
    assert!(out.get("winners").is_none(), "one name, one meaning: {out}");
    assert_eq!(strings(&out["ranking"]), ["E", "A", "C", "B", "D"]);
    assert_eq!(out["report"]["ballots"], 45);
    // The published pairwise counts: d[A][B] = 20, d[E][D] = 31, and
    // strongest paths p[E][A] = 25 against p[A][E] = 24.
    assert_eq!(out["report"]["d"][0][1], 20);
    assert_eq!(out["report"]["d"][4][3], 31);
    assert_eq!(out["report"]["p"][4][0], 25);
    assert_eq!(out["report"]["p"][0][4], 24);
    assert!(out["report"]["ties"].as_array().unwrap().is_empty());
    assert_eq!(out["result_hash"].as_str().unwrap().len(), 64);

    let home = tempfile::tempdir().unwrap();
    let text = run(home.path(), &["tally", "schulze", &file]).ok();
    assert!(text.contains("\nWinner: E\n"), "{text}");
    assert!(text.contains("Ties: none"), "{text}");
    let ranking: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("PLACE"))
        .skip(1)
        .take(5)
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert_eq!(ranking, ["E", "A", "C", "B", "D"], "{text}");
}

/// Two candidates, one vote each: a tie only the lot can break, reported,
/// and following the seed.
#[test]
fn schulze_ties_are_drawn_from_the_seed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tie.blt");
    std::fs::write(&file, "2 1\n1 1 0\n1 2 0\n0\n\"X\"\n\"Y\"\n").unwrap();
    let file = file.display().to_string();
    let mut winners = std::collections::BTreeSet::new();
    for i in 0..16u8 {
        let seed = Hash::of("tie", &[i]).to_hex();
        let out = tally_json(&["schulze", "--seed", &seed, &file]);
        assert_eq!(out["seed"], seed);
        assert_eq!(out["seed_from"], "flag");
        let tie = &out["report"]["ties"][0];
        assert_eq!(tie["between"], serde_json::json!([0, 1]));
        assert_eq!(tie["by"], "lot");
        assert_eq!(out["report"]["unbeaten"], serde_json::json!([0, 1]));
        assert_eq!(out["report"]["drawn"], true);
        let winner = out["winner"].as_str().unwrap().to_owned();
        let drawn = if tie["order"][0] == 0 { "X" } else { "Y" };
        assert_eq!(winner, drawn);
        // By name, each field with one meaning: the tied set, the one drawn.
        assert_eq!(strings(&out["tied"]), ["X", "Y"]);
        assert_eq!(out["drawn"], drawn);
        assert_eq!(strings(&out["ties"][0]["tied"]), ["X", "Y"]);
        assert_eq!(out["ties"][0]["places"], serde_json::json!([1, 2]));
        assert_eq!(out["ties"][0]["drawn"][0], drawn);
        winners.insert(winner);
    }
    assert_eq!(winners.len(), 2, "16 seeds always drew the same winner");
    let home = tempfile::tempdir().unwrap();
    let out = tally_json(&["schulze", &file]);
    assert_eq!(out["seed_from"], "file");
    let drawn = out["drawn"].as_str().unwrap();
    let text = run(home.path(), &["tally", "schulze", &file]).ok();
    assert!(
        text.contains(&format!(
            "\nWinner: {drawn}\n  tied: X, Y; drawn by lot: {drawn}\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("places 1–2: tied: X, Y; drawn by lot: "),
        "{text}"
    );
    assert!(
        text.contains("a hash of the file; --seed sets it"),
        "{text}"
    );
}

/// A file nobody voted in has no result: exit 1 with `no_ballots`, and
/// with --json the error object; never a winner drawn among everyone.
#[test]
fn files_nobody_voted_in_have_no_result() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let blt = home.join("nobody.blt");
    std::fs::write(&blt, "2 1\n0\n\"X\"\n\"Y\"\n").unwrap();
    let pb = home.join("nobody.pb");
    std::fs::write(
        &pb,
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n",
    )
    .unwrap();
    let (blt, pb) = (blt.display().to_string(), pb.display().to_string());
    for args in [
        vec!["tally", "schulze", &blt],
        vec!["tally", "pb", "--rule", "greedy", &pb],
        vec!["tally", "pb", "--rule", "mes-add1", &pb],
    ] {
        let err = run(home, &args).fails(1);
        assert!(err.contains("cannot count: no ballots"), "{args:?}: {err}");
        assert!(err.trim_end().ends_with("(no_ballots)"), "{args:?}: {err}");
        let json = [&["--json"][..], &args].concat();
        let out = run(home, &json);
        assert_eq!(out.code, 1, "{out:?}");
        let value: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(value["error"], "no_ballots", "{args:?}");
    }
}

/// Over the limits: refused naming the cause, exit 2, with the code.
#[test]
fn counts_over_the_limits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let blt = home.join("big.blt");
    let names: String = (0..1001).map(|i| format!("\"C{i}\"\n")).collect();
    std::fs::write(&blt, format!("1001 1\n1 1 0\n0\n{names}")).unwrap();
    let blt = blt.display().to_string();
    let err = run(home, &["tally", "schulze", &blt]).fails(2);
    assert!(
        err.contains("1001 candidates exceed the limit of 1000"),
        "{err}"
    );
    let out = run(home, &["--json", "tally", "schulze", &blt]);
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["error"], "too_many_candidates");
}

/// The seed under which protocol/src/tally/pb/tests_tables.rs records what
/// pabutools selects.
fn crosscheck_seed() -> String {
    Hash::of("hearth pb crosscheck", b"").to_hex()
}

/// Warsaw 2017, Wesoła, Plac Wojska Polskiego (pabulib): the city funded
/// all four projects; Hearth selects what pabutools 1.2.3 selects under
/// every rule (protocol/src/tally/pb/tests_tables.rs).
#[test]
fn pb_selects_what_pabutools_selects_in_warsaw_2017() {
    let file = pb_file("poland_warszawa_2017_plac-wojska-polskiego.pb");
    let seed = crosscheck_seed();
    for (rule, expected) in [
        ("greedy", &["427", "915", "2567", "1623"][..]),
        ("greedy-cost", &["915", "1623", "427", "2567"]),
        ("mes", &["427", "915", "1623"]),
        ("mes-add1", &["427", "915", "2567", "1623"]),
        ("mes-add1-greedy", &["427", "915", "2567", "1623"]),
    ] {
        let out = tally_json(&["pb", "--rule", rule, "--seed", &seed, &file]);
        assert_eq!(strings(&out["selected"]), expected, "{rule}");
        assert!(out["spent"].as_u64().unwrap() <= 51195, "{rule}");
        assert_eq!(out["report"]["budget"], 51195);
    }

    let home = tempfile::tempdir().unwrap();
    let text = run(home.path(), &["tally", "pb", "--rule", "greedy", &file]).ok();
    assert!(text.contains("Akademia Szkraba"), "{text}");
    assert!(
        text.contains("Total spent: 44720 of the budget of 51195"),
        "{text}"
    );
    assert!(text.contains("\nRounds\n"), "{text}");
}

/// An approval vote naming a project twice counts it once, and the output
/// says so with the line; a clean file has no warnings.
#[test]
fn pb_reports_odd_lines_as_warnings_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let pb = home.join("twice.pb");
    std::fs::write(
        &pb,
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nb;5\nVOTES\nvoter_id;vote\n1;a,a\n2;b\n",
    )
    .unwrap();
    let pb = pb.display().to_string();
    let out = tally_json(&["pb", "--rule", "greedy", &pb]);
    let warnings = out["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{out}");
    assert_eq!(warnings[0]["line"], 11);
    assert_eq!(warnings[0]["code"], "repeated_approval");
    assert_eq!(out["report"]["project_votes"], serde_json::json!([1, 1]));
    // Two projects tied on votes and cost: the lot, said plainly, by id.
    assert_eq!(out["ties"][0]["by"], "lot");
    assert_eq!(strings(&out["ties"][0]["tied"]), ["a", "b"]);
    let text = run(home, &["tally", "pb", "--rule", "greedy", &pb]).ok();
    assert!(
        text.contains(&format!("Warnings (read as said, not refused)\n  {pb}: line 11: the approval vote names `a` more than once: counted once\n")),
        "{text}"
    );
    assert!(text.contains("tied: a, b; drawn by lot: "), "{text}");
    let clean = tally_json(&[
        "pb",
        "--rule",
        "greedy",
        &pb_file("poland_warszawa_2017_plac-wojska-polskiego.pb"),
    ]);
    assert_eq!(clean["warnings"], serde_json::json!([]));
}

/// Toulouse 2019 (an excerpt of the pabulib file, cumulative votes). The
/// add1 rules are left to the protocol's tests: raising a 1 000 000 budget
/// one unit at a time takes ~85 000 MES counts, too slow for a debug build.
#[test]
fn pb_selects_what_pabutools_selects_in_toulouse_2019() {
    let file = pb_file("france_toulouse_2019_excerpt.pb");
    let seed = crosscheck_seed();
    for (rule, expected) in [
        (
            "greedy",
            &[
                "6", "14", "7", "5", "10", "20", "2", "25", "13", "22", "1", "23", "11", "8", "30",
                "3",
            ][..],
        ),
        (
            "mes",
            &[
                "10", "20", "6", "14", "1", "7", "30", "2", "25", "23", "5", "3", "13", "8",
            ],
        ),
        (
            "greedy-cost",
            &[
                "10", "20", "6", "14", "1", "7", "30", "2", "25", "23", "5", "3", "13", "11", "8",
                "22",
            ],
        ),
    ] {
        let out = tally_json(&["pb", "--rule", rule, "--seed", &seed, &file]);
        assert_eq!(strings(&out["selected"]), expected, "{rule}");
        assert_eq!(out["report"]["vote_type"], "cumulative");
    }
}

#[test]
fn malformed_files_exit_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let blt = home.join("bad.blt");
    std::fs::write(&blt, "3 1\n1 1 2 0\n2 1 x 0\n0\n\"A\"\n\"B\"\n\"C\"\n").unwrap();
    let blt = blt.display().to_string();
    for method in [&["stv", "--rule", "meek"][..], &["schulze"]] {
        let args = [&["tally"][..], method, &[&blt]].concat();
        let err = run(home, &args).fails(2);
        assert!(
            err.starts_with(&format!("hearth: {blt}: line 3: ")),
            "{method:?}: {err}"
        );
    }

    let pb = home.join("bad.pb");
    std::fs::write(
        &pb,
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\n2;5.5\nVOTES\nvoter_id;vote\n1;1\n",
    )
    .unwrap();
    let pb = pb.display().to_string();
    let err = run(home, &["tally", "pb", "--rule", "mes", &pb]).fails(2);
    assert!(
        err.starts_with(&format!("hearth: {pb}: line 8: cost `5.5`")),
        "{err}"
    );

    let mut cmd = hearth(home, &["tally", "schulze", "-"]);
    cmd.stdin(Stdio::from(std::fs::File::open(&blt).unwrap()));
    let err = run_cmd(&mut cmd).fails(2);
    assert!(err.starts_with("hearth: stdin: line 3: "), "{err}");

    let missing = home.join("missing.blt").display().to_string();
    let err = run(home, &["tally", "schulze", &missing]).fails(2);
    assert!(err.starts_with(&format!("hearth: {missing}: ")), "{err}");

    let err = run(home, &["tally", "schulze", "--seed", "12", &blt]).fails(2);
    assert!(err.contains("64 hex digits"), "{err}");

    // The real cause, and the real line.
    let empty = home.join("empty.pb");
    std::fs::write(&empty, "\n").unwrap();
    let empty = empty.display().to_string();
    let err = run(home, &["tally", "pb", "--rule", "mes", &empty]).fails(2);
    assert_eq!(
        err.trim_end(),
        format!(
            "hearth: {empty}: the file is empty (a .pb file has META, PROJECTS and VOTES sections)"
        )
    );
    let huge = home.join("huge.pb");
    std::fs::write(
        &huge,
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote;points\nv;1;4294967297\n",
    )
    .unwrap();
    let huge = huge.display().to_string();
    let err = run(home, &["tally", "pb", "--rule", "mes", &huge]).fails(2);
    assert!(
        err.starts_with(&format!(
            "hearth: {huge}: line 10: points `4294967297` is too large (at most 1000000000)"
        )),
        "{err}"
    );
    let err = run(home, &["tally", "pb", "--rule", "best", &pb]).fails(2);
    assert!(err.contains("mes-add1-greedy"), "{err}");
}

#[test]
fn help_explains_the_file_formats() {
    let home = tempfile::tempdir().unwrap();
    let help = run(home.path(), &["--help"]).ok();
    assert!(
        help.lines().any(|l| l.trim_start().starts_with("tally")),
        "{help}"
    );
    let help = run(home.path(), &["tally", "--help"]).ok();
    for needle in [
        "stv",
        "schulze",
        "pb",
        "number of candidates, number of seats",
        "withdrawn candidates",
        "\"An example\"",
        "META",
        "PROJECTS",
        "VOTES",
        "--seed",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
    let stv = run(home.path(), &["tally", "stv", "--help"]).ok();
    assert!(stv.contains("scottish") && stv.contains("meek"), "{stv}");
    assert!(stv.contains("--seed <HEX>"), "{stv}");
    for method in ["schulze", "pb"] {
        let help = run(home.path(), &["tally", method, "--help"]).ok();
        for needle in [
            "--seed <HEX>",
            "64 hex digits",
            "BLAKE3 hash of the file's bytes",
            "no_ballots",
        ] {
            assert!(
                help.contains(needle),
                "{method}: {needle} missing from:\n{help}"
            );
        }
    }
}

/// `hearth tally stv` on a `.blt` file written to a scratch directory:
/// the run, with its home.
fn stv_on(text: &str, args: &[&str]) -> (tempfile::TempDir, String, crate::support::Run) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("election.blt");
    std::fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    let args = [&["tally", "stv", "--rule", "scottish"][..], args, &[&file]].concat();
    let run = run(dir.path(), &args);
    (dir, file, run)
}

/// An election nobody voted in has no result: exit 1 with `no_ballots`,
/// in text and as a JSON error object.
#[test]
fn stv_without_ballots_has_no_result() {
    let empty = "3 1\n0\n\"A\"\n\"B\"\n\"C\"\n\"Nobody came\"\n";
    let (_dir, file, out) = stv_on(empty, &[]);
    let err = out.fails(1);
    assert!(err.contains("no_ballots"), "{err}");
    assert!(
        err.starts_with(&format!("hearth: {file}: cannot count: ")),
        "{err}"
    );
    let (_dir, _, out) = stv_on(empty, &["--json"]);
    assert_eq!(out.code, 1);
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["error"], "no_ballots");
}

/// Only negative numbers on the line after the header withdraw
/// candidates: `-1` opening a ballot line is refused on its line, and
/// odd-but-accepted input is listed as warnings naming the line.
#[test]
fn stv_reads_withdrawals_strictly_and_warns_of_odd_input() {
    let names = "\"A\"\n\"B\"\n\"C\"\n\"T\"\n";
    let (_dir, _, out) = stv_on(&format!("3 1\n-1 2 0\n2 3 0\n0\n{names}"), &[]);
    let err = out.fails(2);
    assert!(err.contains("line 2: "), "{err}");
    assert!(
        err.contains("only negative candidate numbers, found `2`"),
        "{err}"
    );

    let (_dir, _, out) = stv_on(&format!("3 1\n2 1 0\n-2 3 0\n0\n{names}"), &[]);
    let err = out.fails(2);
    assert!(
        err.contains("line 3: the ballot weight `-2` is negative"),
        "{err}"
    );

    let odd = "3 1\n-3\n4 1 0 2 2\n 0\n1 0\n1 3 0\n0\n\"A\"\n\"B\"\n\"C\"\n";
    let (_dir, _, out) = stv_on(odd, &["--json"]);
    let value = out.json();
    let warnings: Vec<(u64, String)> = value["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["line"].as_u64().unwrap(),
                w["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let has = |line: u64, needle: &str| {
        warnings
            .iter()
            .any(|(l, m)| *l == line && m.contains(needle))
    };
    assert!(has(3, "share this line"), "{warnings:?}");
    assert!(has(3, "continues onto line 4"), "{warnings:?}");
    assert!(has(5, "ranks no candidate"), "{warnings:?}");
    assert!(has(6, "only withdrawn candidates"), "{warnings:?}");
    assert!(has(10, "no title"), "{warnings:?}");
    assert_eq!(value["report"]["withdrawn"], serde_json::json!([2]));
    assert_eq!(value["report"]["valid_ballots"], 6);

    let (_dir, _, out) = stv_on(odd, &[]);
    let text = out.ok();
    assert!(
        text.contains("\nWarnings (accepted, but check the file)\n  line 3: "),
        "{text}"
    );
}

/// Errors name the real cause and line.
#[test]
fn stv_errors_name_the_cause() {
    for (text, expected) in [
        ("", "the file is empty"),
        ("# only a comment\n\n", "the file is empty"),
        // A weight that large is still a weight: this file fails on its names.
        (
            "3 1\n4294967297 1 0\n0\n",
            "line 3: expected 3 candidate names, found 0",
        ),
        (
            "4294967297 1\n",
            "line 1: the number of candidates `4294967297` is too large (at most 1000)",
        ),
        (
            "1001 1\n",
            "line 1: the number of candidates `1001` is too large (at most 1000)",
        ),
        (
            "3 1\n1 4294967297 0\n0\n",
            "line 2: candidate 4294967297 is out of range (1 to 3)",
        ),
        (
            "3 4294967297\n",
            "line 1: the number of seats `4294967297` is too large (at most 4294967295)",
        ),
        (
            "3 1\n1.5 1 0\n0\n",
            "line 2: the ballot weight `1.5` is not a whole number",
        ),
    ] {
        let (_dir, file, out) = stv_on(text, &[]);
        let err = out.fails(2);
        assert!(
            err.starts_with(&format!("hearth: {file}: {expected}")),
            "{text:?}: {err}"
        );
        assert!(!err.contains("line 0"), "{err}");
    }
}

/// The CSV stage table: a row per candidate, a column per stage, the
/// non-transferable, lost and total rows; its figures are the report's.
#[test]
fn stv_csv_round_trips_to_the_report() {
    let file = stv_file("anderston-city-2007.blt");
    let home = tempfile::tempdir().unwrap();
    let csv = run(
        home.path(),
        &[
            "tally", "stv", "--rule", "scottish", "--format", "csv", &file,
        ],
    )
    .ok();
    let out = tally_json(&["stv", "--rule", "scottish", &file]);
    let report = &out["report"];
    let stages = report["stages"].as_array().unwrap();
    let rows = csv_rows(&csv);
    let header = &rows[0];
    assert_eq!(header[0], "candidate");
    assert_eq!(header.len(), stages.len() + 1, "{header:?}");
    assert!(
        header[1].starts_with("stage 1: first preferences"),
        "{header:?}"
    );
    assert!(
        header[2].starts_with("stage 2: surplus of Craig MacKay"),
        "{header:?}"
    );
    let units = |figure: &str| -> u64 {
        let (whole, fraction) = figure.split_once('.').unwrap();
        whole.parse::<u64>().unwrap() * 100_000 + fraction.parse::<u64>().unwrap()
    };
    let names = strings(&report["candidates"]);
    for row in &rows[1..] {
        let (label, figures) = (row[0].as_str(), &row[1..]);
        assert_eq!(figures.len(), stages.len(), "{row:?}");
        for (stage, figure) in stages.iter().zip(figures) {
            let expected = match label {
                "non-transferable" => stage["exhausted"].as_u64().unwrap(),
                "lost to fractions" => stage["lost"].as_u64().unwrap(),
                "total" => report["valid_ballots"].as_u64().unwrap() * 100_000,
                name => {
                    let c = names.iter().position(|n| *n == name).unwrap();
                    stage["votes"][c].as_u64().unwrap()
                }
            };
            assert_eq!(units(figure), expected, "{label}");
        }
    }
    assert_eq!(rows.len(), 1 + names.len() + 3);

    let err = run(
        home.path(),
        &[
            "--json", "tally", "stv", "--rule", "scottish", "--format", "csv", &file,
        ],
    )
    .fails(2);
    assert!(err.contains("do not go together"), "{err}");
    // --format json is --json.
    let json = run(
        home.path(),
        &[
            "tally", "stv", "--rule", "scottish", "--format", "json", &file,
        ],
    )
    .json();
    assert_eq!(json, out);
}

/// RFC 4180 rows: fields split on commas outside quotes, `""` a quote.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().unwrap().push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(String::new()),
                (c, _) => fields.last_mut().unwrap().push(c),
            }
        }
        rows.push(fields);
    }
    rows
}

/// On the published Glasgow counts, each stage's transfers add up: what
/// the others received is what moved less the newly non-transferable, the
/// parcels' papers × value are what moved, and the readable figures are
/// the exact ones as decimals.
#[test]
fn stv_transfers_and_parcels_add_up_on_glasgow_2007() {
    for name in ["calton-2007.blt", "anderston-city-2007.blt"] {
        let out = tally_json(&["stv", "--rule", "scottish", &stv_file(name)]);
        let exact = out["report"]["stages"].as_array().unwrap();
        let shown = out["count"]["stages"].as_array().unwrap();
        for k in 1..exact.len() {
            let (before, stage) = (&exact[k - 1], &exact[k]);
            let n = |v: &Value| v.as_i64().unwrap();
            let (from, gave) = match &stage["action"] {
                Value::Object(a) if a.contains_key("SurplusTransfer") => {
                    let t = &a["SurplusTransfer"];
                    (n(&t["from"]), n(&t["surplus"]))
                }
                Value::Object(a) if a.contains_key("Exclusion") => {
                    let who = n(&a["Exclusion"]["who"]);
                    (who, n(&before["votes"][who as usize]))
                }
                other => panic!("{other}"),
            };
            let exhausted = n(&stage["exhausted"]) - n(&before["exhausted"]);
            let lost = n(&stage["lost"]) - n(&before["lost"]);
            let transfers = stage["transfers"].as_array().unwrap();
            let received: i64 = transfers
                .iter()
                .filter(|t| n(&t["candidate"]) != from)
                .map(|t| n(&t["change"]))
                .sum();
            let given = transfers
                .iter()
                .find(|t| n(&t["candidate"]) == from)
                .map_or(0, |t| -n(&t["change"]));
            assert_eq!(given, gave, "{name} stage {}", k + 1);
            assert_eq!(received, gave - exhausted - lost, "{name} stage {}", k + 1);
            let moved: i64 = stage["parcels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| n(&p["papers"]) * n(&p["value"]))
                .sum();
            assert_eq!(moved, gave - lost, "{name} stage {}", k + 1);
            // The readable stage: names and decimal strings beside integers.
            let votes = &shown[k]["votes"][0];
            let exact_votes = votes["votes"].as_u64().unwrap();
            assert_eq!(
                votes["votes_shown"],
                format!("{}.{:05}", exact_votes / 100_000, exact_votes % 100_000)
            );
        }
    }
}

/// A tie left to lot says who was tied and whom the lot chose; the seed is
/// printed, and --help documents it.
#[test]
fn stv_ties_and_seed_are_shown() {
    let level = "3 1\n3 1 0\n3 2 0\n5 3 0\n0\n\"Ann\"\n\"Bob\"\n\"Cat\"\n\"Level\"\n";
    let (_dir, _, out) = stv_on(level, &[]);
    let text = out.ok();
    let line = text
        .lines()
        .find(|l| l.contains("whom to exclude"))
        .unwrap_or_else(|| panic!("no tie in:\n{text}"));
    assert!(line.contains("tied: Ann, Bob; drawn by lot: "), "{line}");
    assert!(
        text.contains("(a hash of the file; --seed sets it)"),
        "{text}"
    );
    let (_dir, _, out) = stv_on(level, &["--json"]);
    let value = out.json();
    assert_eq!(value["seed"].as_str().unwrap().len(), 64);
    assert_eq!(value["seed_from"], "file");
    let tie = &value["count"]["ties"][0];
    assert_eq!(tie["tied"], serde_json::json!(["Ann", "Bob"]));
    assert!(tie["drawn"] == "Ann" || tie["drawn"] == "Bob", "{tie}");

    let home = tempfile::tempdir().unwrap();
    let help = run(home.path(), &["tally", "stv", "--help"]).ok();
    for needle in [
        "--seed",
        "--format",
        "csv",
        "no_ballots",
        "after that stage's transfer",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}
