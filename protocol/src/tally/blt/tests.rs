//! `.blt` tests: the example, tolerated and refused input with its line,
//! warnings, limits, and round trips of random elections.

use proptest::prelude::*;

use super::*;

const EXAMPLE: &str = "4 2\n-4\n3 1 3 0\n4 3 1 2 0\n2 2 0\n0\n\"Adams\"\n\"Baker\"\n\"Clark\"\n\"Davis\"\n\"An example\"\n";

fn example() -> Election {
    Election {
        title: "An example".into(),
        candidates: vec![
            "Adams".into(),
            "Baker".into(),
            "Clark".into(),
            "Davis".into(),
        ],
        seats: 2,
        withdrawn: vec![3],
        ballots: vec![
            RankedBallot {
                weight: 3,
                ranking: vec![0, 2],
            },
            RankedBallot {
                weight: 4,
                ranking: vec![2, 0, 1],
            },
            RankedBallot {
                weight: 2,
                ranking: vec![1],
            },
        ],
    }
}

fn line_of(text: &str) -> usize {
    match parse_blt(text) {
        Ok(_) => panic!("accepted: {text:?}"),
        Err(e) => e.line,
    }
}

#[test]
fn parses_the_example() {
    assert_eq!(parse_blt(EXAMPLE), Ok(example()));
    assert_eq!(to_blt(&example()), EXAMPLE);
}

#[test]
fn tolerates_comments_blank_lines_split_ballots_and_a_bom() {
    let text = "\u{feff}# a comment\n\n4 2 # header\n-4\n3 1\n 3 0\n4 3 1 2 0 2 2 0\n0\n\"Adams\" \"Baker\"\n# names\n\"Clark\"\n\"Davis\"\n\n\"An example\"\n\n";
    assert_eq!(parse_blt(text), Ok(example()));
}

#[test]
fn names_may_hold_spaces_and_hashes_and_the_title_is_optional() {
    let election =
        parse_blt("2 1\n1 1 0\n0\n\"Ann # Lee\"\n\"Bo\"\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(election.candidates, vec!["Ann # Lee", "Bo"]);
    assert_eq!(election.title, "");
}

#[test]
fn malformed_files_name_their_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "the file is empty"),
        ("# nothing\n\n", 0, "the file is empty"),
        ("3\n", 1, "ends before the number of seats"),
        ("x 2\n", 1, "not a whole number"),
        ("0 2\n", 1, "no candidates"),
        ("10001 2\n", 1, "`10001` is too large (at most 10000)"),
        ("4294967297 2\n", 1, "too large (at most 10000)"),
        ("3 -1\n", 1, "number of seats `-1` is negative"),
        (
            "3 1\n1 4294967297 0\n0\n",
            2,
            "candidate 4294967297 is out of range",
        ),
        (
            "3 1\n99999999999999999999 1 0\n0\n",
            2,
            "too large (at most 18446744073709551615)",
        ),
        ("3 1 -2\n0\n", 1, "on their own line after the header"),
        (
            "3 1\n-1 2 0\n2 3 0\n0\n",
            2,
            "only negative candidate numbers, found `2`",
        ),
        ("3 1\n-1 -1\n0\n", 2, "withdrawn twice"),
        ("3 1\n2 1 -3 0\n0\n", 2, "`-3` is not a candidate number"),
        ("3 0\n", 1, "no seats"),
        ("3 1\n2 1 2=3 0\n0\n", 2, "equal rankings"),
        ("3 1\n2 1\n- 3 0\n0\n", 3, "skipped rankings"),
        ("3 1\n(7) 2 1 0\n0\n", 2, "ballot ids"),
        ("3 1\n1.5 1 0\n0\n", 2, "not a whole number"),
        ("3 1\n2 1 4 0\n0\n", 2, "out of range"),
        ("3 1\n2 1 0\n\n2 3 1 3 0\n0\n", 4, "ranked twice"),
        ("3 1\n2 1 0\n-2\n0\n", 3, "`-2` is negative"),
        ("3 1\n-4\n0\n", 2, "out of range"),
        ("3 1\n2 1 0\n2 2 0\n", 3, "not ended"),
        ("3 1\n2 1 0\n2 2\n\"A\"\n", 4, "not ended by `0`"),
        (
            "3 1\n2 1 0\n0\n\"A\"\n\"B\"\n",
            5,
            "expected 3 candidate names",
        ),
        ("3 1\n2 1 0\n0\n\"A\"\nB\n", 5, "quoted name of candidate 2"),
        (
            "2 1\n2 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n\"extra\"\n",
            7,
            "after the title",
        ),
        ("2 1\n2 1 0\n0\n\"A\n\"B\"\n", 4, "not closed"),
        (
            "2 1\n18446744073709551615 1 0\n1 2 0\n0\n\"A\"\n\"B\"\n",
            3,
            "overflows",
        ),
    ];
    for (text, line, reason) in cases {
        let err = parse_blt(text)
            .err()
            .unwrap_or_else(|| panic!("accepted {text:?}"));
        assert_eq!(err.line, *line, "{text:?}: {err}");
        assert!(err.reason.contains(reason), "{text:?}: {err}");
    }
}

#[test]
fn an_empty_file_is_not_reported_on_a_line() {
    let err = parse_blt("").unwrap_err();
    assert!(err.to_string().starts_with("the file is empty"), "{err}");
    assert_eq!(
        parse_blt("x").unwrap_err().to_string(),
        "line 1: the number of candidates `x` is not a whole number"
    );
}

#[test]
fn odd_input_is_accepted_with_warnings_naming_the_line() {
    let text = "2 2\n-2\n3 1 0 2 1\n0\n1 0\n1 2 0\n0\n\"A\"\n\"A\"\n";
    let parsed = read_blt(text, &Limits::FORMAT).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        vec![
            "line 3: two ballots share this line",
            "line 3: a ballot continues onto line 4",
            "line 5: a ballot ranks no candidate: it is not a valid paper and is not counted",
            "line 6: a ballot ranks only withdrawn candidates: it is not counted",
            "line 1: 2 seats for 1 standing candidates: all are elected without a contest",
            "line 9: candidates 1 and 2 are both named \"A\"",
            "line 9: the file has no title after the candidates' names",
        ]
    );
    assert_eq!(parsed.election.ballots.len(), 4);
    // The same kind again is counted, not repeated.
    let text = "2 1\n1 0\n1 0\n1 0\n0\n\"A\"\n\"B\"\n\"T\"\n";
    let parsed = read_blt(text, &Limits::FORMAT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.warnings.len(), 1);
    assert!(parsed.warnings[0].message.ends_with("(and 2 more times)"));
    assert_eq!(parsed.warnings[0].line, 2);
    // A well-formed file has none.
    let parsed = read_blt(EXAMPLE, &Limits::FORMAT).unwrap_or_else(|e| panic!("{e}"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn limits_are_refused_on_the_line_that_passes_them() {
    let limits = Limits {
        candidates: 3,
        ballot_lines: 2,
        preferences: 4,
    };
    let line = |text: &str| read_blt(text, &limits).unwrap_err();
    let err = line("4 1\n");
    assert_eq!(
        (err.line, err.reason.contains("at most 3")),
        (1, true),
        "{err}"
    );
    let err = line("3 1\n1 1 0\n1 2 0\n1 3 0\n0\n");
    assert_eq!(err.line, 4, "{err}");
    assert!(err.reason.contains("more than 2 ballot lines"), "{err}");
    let err = line("3 1\n1 1 2 3 0\n1 2\n3 0\n0\n");
    assert_eq!(err.line, 4, "{err}");
    assert!(
        err.reason.contains("more than 4 candidates in all"),
        "{err}"
    );
}

#[test]
fn names_and_titles_that_cannot_be_quoted_are_sanitised() {
    let mut election = example();
    election.candidates[0] = "Ann \"the\"\nLee".into();
    let back = parse_blt(&to_blt(&election)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.candidates[0], "Ann 'the' Lee");
}

fn election() -> impl Strategy<Value = Election> {
    (1u32..8, 1u32..5).prop_flat_map(|(n, seats)| {
        let names = proptest::collection::vec("[A-Za-z #'.-]{0,12}", n as usize);
        let ballot = (
            1u64..1_000_000,
            Just((0..n).collect::<Vec<u32>>()).prop_shuffle(),
            0..=n as usize,
        )
            .prop_map(|(weight, order, len)| RankedBallot {
                weight,
                ranking: order[..len].to_vec(),
            });
        let withdrawn = Just((0..n).collect::<Vec<u32>>())
            .prop_shuffle()
            .prop_flat_map(move |order| (0..=n as usize).prop_map(move |k| order[..k].to_vec()));
        (
            names,
            "[A-Za-z0-9 #]{0,20}",
            withdrawn,
            proptest::collection::vec(ballot, 0..20),
        )
            .prop_map(move |(candidates, title, withdrawn, ballots)| Election {
                title,
                candidates,
                seats,
                withdrawn,
                ballots,
            })
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn round_trips(election in election()) {
        let text = to_blt(&election);
        prop_assert_eq!(parse_blt(&text), Ok(election));
    }

    /// Corrupting one ballot line (by ranking a candidate past the
    /// last one) is reported on exactly that line.
    #[test]
    fn a_bad_ballot_is_reported_on_its_line(election in election(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!election.ballots.is_empty());
        let text = to_blt(&election);
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let first_ballot = 1 + usize::from(!election.withdrawn.is_empty());
        let index = first_ballot + pick.index(election.ballots.len());
        let bad = election.candidates.len() + 1;
        lines[index] = format!("1 {bad} 0");
        prop_assert_eq!(line_of(&lines.join("\n")), index + 1);
    }
}
