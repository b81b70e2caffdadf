use super::*;

const SMALL: &str = "META
key;value
description;A small instance
num_projects;3
num_votes;3
budget;1000.00
vote_type;approval
PROJECTS
project_id;cost;name
a;600;\"Park; with a \"\"bench\"\"\"
b;400;Library
c;250,0;
VOTES
voter_id;vote
1;a,b
2;b,b,c
3;
";

#[test]
fn parses_a_small_approval_instance() {
    let instance = parse_pb(SMALL).expect("parse");
    assert_eq!(instance.budget, 1000);
    assert_eq!(instance.vote_type, VoteType::Approval);
    assert_eq!(
        instance.meta.get("description").map(String::as_str),
        Some("A small instance")
    );
    let ids: Vec<&str> = instance.projects.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(
        instance.projects[0].name.as_deref(),
        Some("Park; with a \"bench\"")
    );
    assert_eq!(instance.projects[2].cost, 250);
    assert_eq!(instance.projects[2].name, None);
    assert_eq!(instance.projects[0].selected, None, "no `selected` column");
    // A repeated approval counts once; an empty vote is a vote.
    assert_eq!(instance.votes[1].projects, vec![1, 2]);
    assert!(instance.votes[2].projects.is_empty());
    assert_eq!(instance.votes.len(), 3);
}

#[test]
fn parses_cumulative_votes_and_real_files() {
    let toulouse =
        parse_pb(include_str!("../pb/data/france_toulouse_2019_excerpt.pb")).expect("Toulouse");
    assert_eq!(toulouse.vote_type, VoteType::Cumulative);
    assert_eq!(toulouse.projects.len(), 30);
    assert_eq!(toulouse.votes[0].projects, vec![9, 10, 12, 8]);
    assert_eq!(toulouse.votes[0].points, Some(vec![2, 2, 2, 1]));
    let warsaw = parse_pb(include_str!(
        "../pb/data/poland_warszawa_2017_plac-wojska-polskiego.pb"
    ))
    .expect("Warsaw");
    assert_eq!(warsaw.projects[3].cost, 2900);
    // The official outcome, where the file records it; anything but a
    // plain number there is left out rather than refused.
    let selected: Vec<Option<u64>> = warsaw.projects.iter().map(|p| p.selected).collect();
    assert_eq!(selected, [Some(1); 4]);
    let odd = parse_pb(
        &SMALL
            .replace("project_id;cost;name", "project_id;cost;selected")
            .replace("Library", "2")
            .replace("\"Park; with a \"\"bench\"\"\"", "yes"),
    )
    .expect("selected column");
    let odd: Vec<Option<u64>> = odd.projects.iter().map(|p| p.selected).collect();
    assert_eq!(odd, [None, Some(2), None]);
    assert_eq!(
        warsaw.meta.get("district").map(String::as_str),
        Some("Wesoła")
    );
}

fn error(text: &str) -> (String, usize) {
    let e = parse_pb(text).expect_err("refused");
    let line = e.line().expect("a line");
    assert!(e.to_string().starts_with(&format!("line {line}: ")), "{e}");
    (e.code().to_string(), line)
}

fn with(replace: &str, by: &str) -> String {
    assert!(SMALL.contains(replace), "{replace}");
    SMALL.replacen(replace, by, 1)
}

#[test]
fn errors_name_the_line() {
    let cases: &[(&str, &str, &str, usize)] = &[
        (
            "vote_type;approval",
            "vote_type;ordinal",
            "unsupported_vote_type",
            7,
        ),
        (
            "vote_type;approval",
            "vote_type;scoring",
            "unsupported_vote_type",
            7,
        ),
        (
            "vote_type;approval",
            "vote_type;ranked",
            "unknown_vote_type",
            7,
        ),
        ("budget;1000.00", "budget;1000.50", "bad_amount", 6),
        ("budget;1000.00", "budget;1,000", "bad_amount", 6),
        ("budget;1000.00", "budget;1 000", "bad_amount", 6),
        ("budget;1000.00", "budget;-5", "bad_amount", 6),
        ("b;400;Library", "b;400.5;Library", "bad_amount", 11),
        ("b;400;Library", "a;400;Library", "duplicate_project", 11),
        ("b;400;Library", "b;400", "field_count", 11),
        ("2;b,b,c", "2;b,d", "unknown_project", 16),
        ("2;b,b,c", "1;b", "duplicate_voter", 16),
        ("num_votes;3", "num_votes;4", "count_mismatch", 5),
        ("num_projects;3", "num_projects;x", "bad_number", 4),
        ("budget;1000.00\n", "", "missing_meta", 1),
        ("a;600;\"Park", "a;600;\"Park\"x", "bad_quoting", 10),
        (
            "description;A small instance",
            "description;A small instance\ndescription;again",
            "duplicate_meta_key",
            4,
        ),
    ];
    for &(replace, by, code, line) in cases {
        assert_eq!(error(&with(replace, by)), (code.to_string(), line), "{by}");
    }
    assert_eq!(error("budget;1\n"), ("no_section".to_string(), 1));
    assert_eq!(
        error("META\nkey;value\nbudget;1\nvote_type;approval\nVOTES\nvoter_id;vote\n"),
        ("missing_section".to_string(), 5)
    );
    let no_votes = SMALL.split("VOTES").next().expect("head").to_string();
    assert_eq!(error(&no_votes).0, "missing_section");
    assert_eq!(
        error(&with("budget;1000.00", "budget;1000000000000000001")).0,
        "bad_amount"
    );
}

/// Each refusal names its real cause: a number too large is not "not a
/// number", and an empty file is empty, not "line 0".
#[test]
fn errors_name_the_real_cause() {
    let message = |text: &str| parse_pb(text).expect_err("refused").to_string();
    assert_eq!(
        message(&with("num_votes;3", "num_votes;4294967297")),
        "line 5: num_votes is 4294967297 but the file has 3"
    );
    let huge = "99999999999999999999";
    assert_eq!(
        message(&with("num_votes;3", &format!("num_votes;{huge}"))),
        format!(
            "line 5: num_votes `{huge}` is too large (at most {})",
            u64::MAX
        )
    );
    assert_eq!(
        message(&with("budget;1000.00", "budget;4294967297000000")),
        format!("line 6: budget `4294967297000000` is refused: too large (at most {MAX_AMOUNT})")
    );
    let cumulative = "META\nkey;value\nbudget;10\nvote_type;cumulative\n\
                      PROJECTS\nproject_id;cost\nx;4\nVOTES\nvoter_id;vote;points\n";
    assert_eq!(
        message(&format!("{cumulative}v1;x;4294967297\n")),
        format!("line 10: points `4294967297` is too large (at most {MAX_POINTS})")
    );
    assert_eq!(
        message(&format!("{cumulative}v1;x;4x\n")),
        "line 10: points `4x` is not a whole number"
    );
    for empty in ["", "\n\n", "\u{feff}", "  \r\n"] {
        let e = parse_pb(empty).expect_err("empty");
        assert_eq!((e.code(), e.line()), ("empty", None), "{empty:?}");
        assert!(e.to_string().starts_with("the file is empty"), "{e}");
    }
}

#[test]
fn odd_lines_are_refused_or_reported_with_their_line() {
    // A repeated approval counts once, reported.
    let file = read_pb(SMALL).expect("parse");
    assert_eq!(file.instance.votes[1].projects, vec![1, 2]);
    assert_eq!(file.warnings.len(), 1);
    let warning = &file.warnings[0];
    assert_eq!((warning.line, warning.code), (16, "repeated_approval"));
    assert!(warning.message.contains("`b`"), "{warning}");
    assert_eq!(warning.to_string(), format!("line 16: {}", warning.message));
    let clean = read_pb(&with("2;b,b,c", "2;b,c")).expect("parse");
    assert!(clean.warnings.is_empty());
    assert_eq!(clean.instance, file.instance);
    // An informative `selected` that is not a number is left out, reported
    // (an empty one is simply unknown).
    let odd = read_pb(
        &SMALL
            .replace("project_id;cost;name", "project_id;cost;selected")
            .replace("Library", "2"),
    )
    .expect("parse");
    let codes: Vec<(usize, &str)> = odd.warnings.iter().map(|w| (w.line, w.code)).collect();
    assert_eq!(
        codes,
        [(10, "selected_not_a_number"), (16, "repeated_approval")]
    );
    // Refused, with the line.
    let cases: &[(&str, &str, &str, usize)] = &[
        (
            "project_id;cost;name",
            "project_id;cost;cost",
            "duplicate_column",
            9,
        ),
        (
            "voter_id;vote",
            "voter_id;vote;vote",
            "duplicate_column",
            14,
        ),
        ("1;a,b", ";a,b", "empty_voter_id", 15),
        (
            "vote_type;approval",
            "vote_type;choose-1",
            "too_many_choices",
            15,
        ),
    ];
    for &(replace, by, code, line) in cases {
        assert_eq!(error(&with(replace, by)), (code.to_string(), line), "{by}");
    }
    // choose-1 votes of one project (or none) are approval votes.
    let one = with("vote_type;approval", "vote_type;choose-1")
        .replace("1;a,b", "1;a")
        .replace("2;b,b,c", "2;b");
    let one = read_pb(&one).expect("choose-1");
    assert_eq!(one.instance.vote_type, VoteType::Approval);
}

#[test]
fn cumulative_points_are_checked() {
    let text = "META\nkey;value\nbudget;10\nvote_type;cumulative\nmax_sum_points;5\n\
                PROJECTS\nproject_id;cost\nx;4\ny;6\nVOTES\nvoter_id;vote;points\n";
    let ok = format!("{text}v1;x,y;2,3\n");
    assert_eq!(
        parse_pb(&ok).expect("parse").votes[0].points,
        Some(vec![2, 3])
    );
    let cases = [
        ("v1;x,y;3,3\n", "too_many_points"),
        ("v1;x,y;3\n", "points_mismatch"),
        ("v1;x,x;1,1\n", "repeated_project"),
        ("v1;x;a\n", "bad_number"),
    ];
    for (row, code) in cases {
        assert_eq!(
            error(&format!("{text}{row}")),
            (code.to_string(), 12),
            "{row}"
        );
    }
    let no_points = text.replace("voter_id;vote;points", "voter_id;vote");
    assert_eq!(error(&no_points), ("missing_column".to_string(), 11));
}

#[test]
fn amounts() {
    for (text, value) in [
        ("0", 0),
        ("2500", 2500),
        ("2500.00", 2500),
        ("2500,0", 2500),
    ] {
        assert_eq!(parse_amount(text, 1, "cost"), Ok(value), "{text}");
    }
    for text in [
        "",
        "1.5",
        "1,000",
        "12.500",
        "1.000.000",
        "1 000",
        "+5",
        "0x10",
        "1e6",
    ] {
        assert!(parse_amount(text, 1, "cost").is_err(), "{text}");
    }
}

#[test]
fn fields_split_on_semicolons_outside_quotes() {
    assert_eq!(
        split_row("a; \"b;c\" ;\"d\"\"e\"", 1),
        Ok(vec!["a".to_string(), "b;c".to_string(), "d\"e".to_string()])
    );
    assert!(split_row("\"open", 3).is_err());
}
