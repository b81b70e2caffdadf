//! STV tests: hand-checked elections, published counts reproduced to the
//! last unit, tie-breaking, and invariants under random elections.

mod properties;

use super::*;
use crate::tally::blt::{RankedBallot, parse_blt};
use crate::tally::result_hash;

/// The seed of every draw in these tests (a stand-in proposal id).
pub(super) fn seed() -> Hash {
    Hash::of("hearth test", b"stv")
}

pub(super) fn parse(text: &str) -> Election {
    parse_blt(text).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn run(election: &Election, rule: StvRule) -> StvReport {
    count(election, rule, None, &seed()).unwrap_or_else(|e| panic!("{e}"))
}

/// A decimal figure (`"1035.05847"`) as units of 1/`scale`.
fn units(figure: &str, scale: u64) -> u64 {
    let (whole, fraction) = figure.split_once('.').unwrap_or((figure, ""));
    let digits = scale.ilog10() as usize;
    assert!(fraction.len() <= digits, "{figure}");
    let fraction = format!("{fraction:0<digits$}");
    whole.parse::<u64>().unwrap() * scale + fraction.parse::<u64>().unwrap()
}

fn figures(list: &[&str], scale: u64) -> Vec<u64> {
    list.iter().map(|f| units(f, scale)).collect()
}

fn ballots(list: &[(u64, &[u32])]) -> Vec<RankedBallot> {
    list.iter()
        .map(|&(weight, ranking)| RankedBallot {
            weight,
            ranking: ranking.to_vec(),
        })
        .collect()
}

fn election(candidates: usize, seats: u32, list: &[(u64, &[u32])]) -> Election {
    Election {
        title: String::new(),
        candidates: (0..candidates).map(|c| format!("C{c}")).collect(),
        seats,
        withdrawn: Vec::new(),
        ballots: ballots(list),
    }
}

/// Σ votes + exhausted + lost = every valid vote, at every stage.
fn assert_conserved(report: &StvReport) {
    let total = report.valid_ballots * report.scale;
    for stage in &report.stages {
        let held: u64 = stage.votes.iter().sum();
        assert_eq!(
            held + stage.exhausted + stage.lost,
            total,
            "stage {}",
            stage.number
        );
    }
}

/// Checks every stage of a Scottish count against (action, each
/// candidate's votes, non-transferable, lost) in decimal figures.
fn assert_stages<const N: usize>(
    report: &StvReport,
    expected: &[(StageAction, [&str; N], &str, &str)],
) {
    assert_eq!(report.stages.len(), expected.len());
    for (stage, (action, votes, exhausted, lost)) in report.stages.iter().zip(expected) {
        let n = stage.number;
        assert_eq!(stage.action, *action, "stage {n}");
        assert_eq!(stage.votes, figures(votes, scottish::SCALE), "stage {n}");
        assert_eq!(
            stage.exhausted,
            units(exhausted, scottish::SCALE),
            "stage {n}"
        );
        assert_eq!(stage.lost, units(lost, scottish::SCALE), "stage {n}");
    }
}

// ---------------------------------------------------------------------------
// Hand-checked examples.

/// The food election of Wikipedia's "Single transferable vote" article
/// (20 voters, 3 seats, Droop quota 6): Chocolate, Oranges, Strawberries.
/// By hand under the Scottish rules: stage 1 elects Chocolate (12), whose
/// surplus of 6 moves at 0.5 (stage 2: Strawberries 5, Hamburgers 3);
/// Pears (2) are excluded and elect Oranges with 6 (stage 3); Hamburgers
/// are excluded (stage 4) and Strawberries fill the last vacancy (rule 52).
#[test]
fn the_food_election_by_hand() {
    let (oranges, pears, chocolate, strawberries, hamburgers) = (0, 1, 2, 3, 4);
    let e = election(
        5,
        3,
        &[
            (4, &[oranges]),
            (2, &[pears, oranges]),
            (8, &[chocolate, strawberries]),
            (4, &[chocolate, hamburgers]),
            (1, &[strawberries]),
            (1, &[hamburgers]),
        ],
    );
    let report = run(&e, StvRule::Scottish);
    assert_eq!(report.quota, 6 * scottish::SCALE);
    assert_eq!(report.elected, vec![chocolate, oranges, strawberries]);
    let s = scottish::SCALE;
    let votes: Vec<Vec<u64>> = report.stages.iter().map(|st| st.votes.clone()).collect();
    assert_eq!(votes[0], vec![4 * s, 2 * s, 12 * s, s, s]);
    assert_eq!(votes[1], vec![4 * s, 2 * s, 6 * s, 5 * s, 3 * s]);
    assert_eq!(votes[2], vec![6 * s, 0, 6 * s, 5 * s, 3 * s]);
    assert_eq!(votes[3], vec![6 * s, 0, 6 * s, 5 * s, 0]);
    assert_eq!(
        report.stages[1].action,
        StageAction::SurplusTransfer {
            from: chocolate,
            surplus: 6 * s,
            value: s / 2
        }
    );
    assert_eq!(report.stages[3].exhausted, 3 * s);
    assert_eq!(
        report.stages[3].elected,
        vec![Elected {
            candidate: strawberries,
            by: ElectedBy::LastVacancies
        }]
    );
    assert_conserved(&report);

    // Meek's quota is lower (20/4 + 10⁻⁹), so Strawberries pass it on
    // Chocolate's surplus before Pears go: the same three, another order.
    let meek = run(&e, StvRule::Meek);
    assert_eq!(meek.elected, vec![chocolate, strawberries, oranges]);
    assert_conserved(&meek);
}

/// A surplus that includes transferred papers moves every paper at
/// surplus × (its value when received) ÷ total, truncated (rule 48(3)–(4)).
/// A (10 of quota 6) passes 4 on at 0.4 a paper, electing B with 7; B's
/// surplus of 1 moves A's ten papers at 0.4 × 1 ÷ 7 = 0.05714 and B's own
/// three at 1 ÷ 7 = 0.14285, truncation losing 0.00005.
#[test]
fn transferred_papers_carry_their_value_into_the_next_surplus() {
    let (a, b, c, d, e) = (0, 1, 2, 3, 4);
    let el = election(
        5,
        3,
        &[
            (10, &[a, b, c]),
            (3, &[b, d]),
            (3, &[c]),
            (3, &[d]),
            (1, &[e]),
        ],
    );
    let report = run(&el, StvRule::Scottish);
    let scale = scottish::SCALE;
    assert_eq!(report.quota, 6 * scale);
    let stage = |i: usize| &report.stages[i];
    assert_eq!(stage(0).votes, figures(&["10", "3", "3", "3", "1"], scale));
    assert_eq!(
        stage(1).action,
        StageAction::SurplusTransfer {
            from: a,
            surplus: 4 * scale,
            value: units("0.4", scale)
        }
    );
    assert_eq!(stage(1).votes, figures(&["6", "7", "3", "3", "1"], scale));
    assert_eq!(
        stage(2).action,
        StageAction::SurplusTransfer {
            from: b,
            surplus: scale,
            value: units("0.14285", scale)
        }
    );
    assert_eq!(
        stage(2).votes,
        figures(&["6", "6", "3.5714", "3.42855", "1"], scale)
    );
    assert_eq!(stage(2).lost, units("0.00005", scale));
    // The parcels: A's ten papers at 0.4, then at B's surplus A's ten
    // (received at 0.4) at 0.05714 and B's own three at 0.14285.
    let parcel = |value: &str, papers: u64| Parcel {
        value: units(value, scale),
        papers,
        non_transferable: 0,
    };
    assert_eq!(stage(1).parcels, vec![parcel("0.4", 10)]);
    assert_eq!(
        stage(2).parcels,
        vec![parcel("0.05714", 10), parcel("0.14285", 3)]
    );
    let change = |candidate: u32, figure: &str, sign: i64| Transfer {
        candidate,
        change: sign * units(figure, scale) as i64,
    };
    assert_eq!(
        stage(2).transfers,
        vec![
            change(b, "1", -1),
            change(c, "0.5714", 1),
            change(d, "0.42855", 1)
        ]
    );
    assert!(stage(0).transfers.is_empty() && stage(0).parcels.is_empty());
    // E, then D are excluded; C takes the last vacancy (rule 52).
    assert_eq!(stage(3).action, StageAction::Exclusion { who: e });
    assert_eq!(stage(4).action, StageAction::Exclusion { who: d });
    assert_eq!(stage(4).exhausted, units("4.42855", scale));
    assert_eq!(report.elected, vec![a, b, c]);
    assert_conserved(&report);
}

// ---------------------------------------------------------------------------
// Ties.

/// Rule 51(2)(a): three candidates tie on 5; at the stage before, C had
/// fewer than A and B, so C is excluded, not drawn by lot.
#[test]
fn an_exclusion_tie_is_broken_by_the_most_recent_stage_that_differs() {
    let (a, b, c, d, e) = (0, 1, 2, 3, 4);
    let el = election(
        5,
        1,
        &[
            (5, &[a]),
            (4, &[b]),
            (3, &[c, a]),
            (2, &[d, c, a]),
            (1, &[e, b]),
        ],
    );
    let report = run(&el, StvRule::Scottish);
    assert_eq!(
        report.stages[2].votes,
        figures(&["5", "5", "5", "0", "0"], 100_000)
    );
    assert_eq!(
        report.ties,
        vec![TieBreak {
            stage: 3,
            purpose: TiePurpose::Exclusion,
            tied: vec![a, b, c],
            lot: Vec::new(),
            drawn: None,
            chosen: c,
            by: TieBy::EarlierStages,
        }]
    );
    assert_eq!(report.stages[3].action, StageAction::Exclusion { who: c });
    assert_eq!(report.elected, vec![a]);
}

/// Rule 51(2)(b): equal at every stage, so the lot decides: the seeded
/// draw, reported, the same for everyone with the seed and different seeds
/// draw differently.
#[test]
fn an_exclusion_tie_equal_at_every_stage_is_drawn_by_lot() {
    let e = election(3, 1, &[(3, &[0]), (3, &[1]), (5, &[2])]);
    let mut chosen = std::collections::BTreeSet::new();
    for i in 0..16u8 {
        let seed = Hash::of("hearth test", &[i]);
        let report = count(&e, StvRule::Scottish, None, &seed).unwrap();
        let tie = &report.ties[0];
        assert_eq!(
            (tie.stage, tie.purpose, tie.by),
            (1, TiePurpose::Exclusion, TieBy::Lot)
        );
        assert_eq!(tie.tied, vec![0, 1]);
        assert_eq!(tie.lot, vec![0, 1]);
        assert_eq!(tie.chosen, draw_order(&seed, 1, &[0, 1])[0]);
        assert_eq!(tie.drawn, Some(tie.chosen));
        assert_eq!(
            report.stages[1].action,
            StageAction::Exclusion { who: tie.chosen }
        );
        assert_eq!(report, count(&e, StvRule::Scottish, None, &seed).unwrap());
        chosen.insert(tie.chosen);
    }
    assert_eq!(chosen.len(), 2, "sixteen seeds all drew the same candidate");
}

/// Rule 49(2)–(3): two equal surpluses, equal at every stage: the lot
/// decides which is transferred first, and it is reported.
#[test]
fn equal_surpluses_are_ordered_by_lot() {
    let e = election(4, 3, &[(6, &[0, 2]), (6, &[1, 3]), (1, &[2]), (1, &[3])]);
    let report = run(&e, StvRule::Scottish);
    let surplus_tie = report
        .ties
        .iter()
        .find(|t| t.purpose == TiePurpose::Surplus)
        .expect("a surplus tie");
    assert_eq!(surplus_tie.by, TieBy::Lot);
    assert_eq!(
        report.stages[1].action,
        StageAction::SurplusTransfer {
            from: surplus_tie.chosen,
            surplus: 2 * scottish::SCALE,
            value: units("0.33333", scottish::SCALE),
        }
    );
}

/// Meek B.3: candidates within the total surplus of the lowest count as
/// tied with it, and the lot picks among them.
#[test]
fn meek_defeats_by_lot_among_candidates_within_the_surplus() {
    let e = election(4, 1, &[(5, &[0]), (4, &[1]), (2, &[2]), (2, &[3])]);
    let report = run(&e, StvRule::Meek);
    let tie = &report.ties[0];
    assert_eq!((tie.purpose, tie.by), (TiePurpose::Exclusion, TieBy::Lot));
    assert_eq!(tie.tied, vec![2, 3]);
    assert_eq!(tie.stage, 1);
    // Decided at the end of stage 1, carried out (and shown) at stage 2.
    assert_eq!(
        report.stages[1].action,
        StageAction::Exclusion { who: tie.chosen }
    );
    assert_eq!(report.stages[1].votes[tie.chosen as usize], 0);
    assert_eq!(report.elected, vec![0]);
}

// ---------------------------------------------------------------------------
// Published counts.

/// Glasgow City Council, 3 May 2007, ward 9 (Calton): 3 seats, 10
/// candidates, 5 199 valid papers. Ballots: `jklundell/droop`
/// `test/blt/scotland/Calton-2007.blt` (protocol/tests/data/stv/README.md).
///
/// Official result: George Redmond (Lab), Alison Thewliss (SNP) and Ruth
/// Simpson (Lab) elected; first preferences 1982/628 (Lab), 1143 (SNP), 302
/// (Solidarity), 245 (Con), 231 (LD), 219 (Green), 195 (Unionist), 128 (Ind),
/// 126 (SSP); at stage 7, after the exclusion of the Liberal Democrat,
/// Thewliss is elected with a surplus of 60, Simpson holds 1189, Fullerton
/// 446 and Gillespie 409 (the council's declaration as summarised in
/// "Council by-elections 8th August", ukgeneralelection2020.blogspot.com,
/// 2015, and Wikipedia "Calton (ward)"). The declaration stops there, the
/// outcome being settled; the Order's rules 48–51 go on to transfer the
/// surplus and exclude candidates until Simpson passes the quota at stage
/// 10, as counted here.
///
/// Every stage to the last of five decimals: Droop's count under its
/// `scotland` rule, `jklundell/droop`
/// `test/ref/report/scotland/Calton-2007-scotland-fixed-p5-d5.txt`.
#[test]
fn glasgow_2007_calton_reproduces_the_official_count() {
    let e = parse(include_str!("../../../tests/data/stv/calton-2007.blt"));
    let report = run(&e, StvRule::Scottish);
    let name = |c: u32| e.candidates[c as usize].as_str();
    let (redmond, simpson, thewliss) = (7, 8, 9);
    assert_eq!(
        (name(redmond), name(simpson), name(thewliss)),
        ("George Redmond", "Ruth Simpson", "Alison E Thewliss")
    );

    assert_eq!(report.valid_ballots, 5199);
    assert_eq!(report.quota, units("1300", scottish::SCALE));
    assert_eq!(report.elected, vec![redmond, thewliss, simpson]);
    assert_eq!(
        report.winners(),
        vec!["George Redmond", "Alison E Thewliss", "Ruth Simpson"]
    );
    assert!(report.ties.is_empty());

    // (action, votes of the ten candidates, non-transferable, lost)
    #[rustfmt::skip]
    let expected: [(StageAction, [&str; 10], &str, &str); 10] = [
        (StageAction::FirstPreferences,
         ["128", "219", "302", "245", "231", "195", "126", "1982", "628", "1143"], "0", "0"),
        (StageAction::SurplusTransfer { from: redmond, surplus: 682 * scottish::SCALE, value: 34409 },
         ["130.40863", "224.84953", "325.39812", "250.84953", "245.79587", "217.36585", "134.94634", "1300", "1035.05847", "1175.68855"],
         "158.62549", "0.01362"),
        (StageAction::Exclusion { who: 0 },
         ["0", "235.19362", "349.74221", "257.84953", "252.79587", "220.36585", "140.29043", "1300", "1050.74665", "1196.68855"],
         "195.31367", "0.01362"),
        (StageAction::Exclusion { who: 6 },
         ["0", "251.22589", "373.77448", "260.53771", "257.82814", "225.70994", "0", "1300", "1072.12301", "1221.72082"],
         "236.06639", "0.01362"),
        (StageAction::Exclusion { who: 5 },
         ["0", "264.91407", "382.49493", "348.69906", "265.20450", "0", "0", "1300", "1086.94027", "1231.40900"],
         "319.32455", "0.01362"),
        (StageAction::Exclusion { who: 1 },
         ["0", "0", "420.83902", "371.04315", "329.26904", "0", "0", "1300", "1115.34890", "1282.75309"],
         "379.73318", "0.01362"),
        (StageAction::Exclusion { who: 4 },
         ["0", "0", "446.24765", "409.10769", "0", "0", "0", "1300", "1189.88661", "1360.12945"],
         "493.61498", "0.01362"),
        (StageAction::SurplusTransfer { from: thewliss, surplus: 6_012_945, value: 4420 },
         ["0", "0", "461.35742", "412.58571", "0", "0", "0", "1300", "1199.81406", "1300"],
         "525.21759", "0.02522"),
        (StageAction::Exclusion { who: 3 },
         ["0", "0", "485.84120", "0", "0", "0", "0", "1300", "1271.90931", "1300"],
         "841.22427", "0.02522"),
        (StageAction::Exclusion { who: 2 },
         ["0", "0", "0", "0", "0", "0", "0", "1300", "1393.86735", "1300"],
         "1205.10743", "0.02522"),
    ];
    assert_stages(&report, &expected);
    // The official stage-7 figures, in whole votes.
    let stage7 = &report.stages[6];
    let whole = |c: usize| stage7.votes[c] / scottish::SCALE;
    assert_eq!((whole(8), whole(2), whole(3)), (1189, 446, 409));
    assert_eq!((stage7.votes[9] - stage7.quota) / scottish::SCALE, 60);
    assert_eq!(
        stage7.elected,
        vec![Elected {
            candidate: thewliss,
            by: ElectedBy::Quota
        }]
    );
    assert_eq!(
        report.stages[9].elected,
        vec![Elected {
            candidate: simpson,
            by: ElectedBy::Quota
        }]
    );
    assert_conserved(&report);
}

/// Glasgow City Council, 3 May 2007, ward 10 (Anderston/City): 4 seats, 9
/// candidates, 6 900 valid papers. Ballots: `jklundell/droop`
/// `test/blt/scotland/Anderston-City-2007.blt`.
///
/// Official result: Craig MacKay (SNP), Philip Braat (Lab), Gordon
/// Matheson (Lab) and Nina Baker (Green) elected; first preferences SNP
/// 1632, Lab 1291/1177, Green 880, LD 806, Con 486, Solidarity 285, SSP 198,
/// Ind 145; at the declared final stage (6) Matheson 1291, Baker 1247, Laird
/// (LD) 1050, with a Labour surplus of 40 (the summary cited for Calton).
/// Every stage: Droop, `test/ref/report/scotland/Anderston-City-2007-scotland-fixed-p5-d5.txt`.
#[test]
fn glasgow_2007_anderston_city_reproduces_the_official_count() {
    let e = parse(include_str!(
        "../../../tests/data/stv/anderston-city-2007.blt"
    ));
    let report = run(&e, StvRule::Scottish);
    let (baker, braat, mackay, matheson) = (0, 2, 6, 7);
    assert_eq!(report.quota, units("1381", scottish::SCALE));
    assert_eq!(report.elected, vec![mackay, braat, baker, matheson]);
    assert_eq!(
        report.winners(),
        vec![
            "Craig MacKay",
            "Philip Braat",
            "Nina Baker",
            "Gordon Matheson"
        ]
    );
    assert!(report.ties.is_empty());

    #[rustfmt::skip]
    let expected: [(StageAction, [&str; 9], &str, &str); 8] = [
        (StageAction::FirstPreferences,
         ["880", "486", "1291", "145", "285", "806", "1632", "1177", "198"], "0", "0"),
        (StageAction::SurplusTransfer { from: mackay, surplus: 251 * scottish::SCALE, value: 15379 },
         ["927.98248", "495.99635", "1306.68658", "150.84402", "317.29590", "836.91179", "1381", "1194.99343", "215.07069"],
         "73.20404", "0.01472"),
        (StageAction::Exclusion { who: 3 },
         ["974.67417", "511.45772", "1318.99416", "0", "319.91106", "866.68074", "1381", "1200.14722", "228.37827"],
         "98.74194", "0.01472"),
        (StageAction::Exclusion { who: 8 },
         ["1033.51892", "515.76530", "1328.76311", "0", "367.75508", "890.37243", "1381", "1220.83891", "0"],
         "161.97153", "0.01472"),
        (StageAction::Exclusion { who: 4 },
         ["1163.43655", "524.84183", "1366.14649", "0", "0", "929.13992", "1381", "1259.37681", "0"],
         "276.04368", "0.01472"),
        (StageAction::Exclusion { who: 1 },
         ["1247.97372", "0", "1421.06923", "0", "0", "1050.13919", "1381", "1291.45334", "0"],
         "508.34980", "0.01472"),
        (StageAction::SurplusTransfer { from: braat, surplus: 4_006_923, value: 2819 },
         ["1251.77919", "0", "1381", "0", "0", "1054.23531", "1381", "1312.04255", "0"],
         "519.91821", "0.02474"),
        (StageAction::Exclusion { who: 5 },
         ["1736.42172", "0", "1381", "0", "0", "0", "1381", "1544.95940", "0"],
         "856.59414", "0.02474"),
    ];
    assert_stages(&report, &expected);
    // The declared final stage, in whole votes.
    let stage6 = &report.stages[5];
    let whole = |c: usize| stage6.votes[c] / scottish::SCALE;
    assert_eq!((whole(7), whole(0), whole(5)), (1291, 1247, 1050));
    assert_eq!((stage6.votes[2] - stage6.quota) / scottish::SCALE, 40);
    assert_eq!(
        report.stages[7].elected,
        vec![
            Elected {
                candidate: baker,
                by: ElectedBy::Quota
            },
            Elected {
                candidate: matheson,
                by: ElectedBy::Quota
            },
        ]
    );
    assert_conserved(&report);
}

/// Green Party of the United States, Steering Committee election of
/// 2005-07-24 (4 seats, 13 candidates, 94 ballots), counted by the PR
/// Foundation's reference Meek rule: Droop's reference count,
/// `jklundell/droop` `test/ref/report/SC-meek-prf-o6-fixed-p9-d9.txt`,
/// elects Pat LaMarche, Rebecca Rotzler, Steve Kramer and Kristen Olsen; we
/// match its every figure (quota, votes, surplus, exhausted) to 10⁻⁹.
#[test]
fn gpus_2005_matches_the_reference_meek_count() {
    let e = parse(include_str!("../../../tests/data/stv/gpus-2005.blt"));
    let report = run(&e, StvRule::Meek);
    let (dickinson, mookerjee, sevigny, lamarche, piacsek) = (0, 1, 2, 3, 4);
    let (rotzler, olsen, jones, kramer) = (6, 7, 8, 12);
    let zeros = [5, 9, 10, 11];
    let s = meek::SCALE;

    assert_eq!(report.elected, vec![rotzler, lamarche, kramer, olsen]);
    // Each stage shows the votes after its transfer: stage 1 is round 1
    // (first preferences), stage k the end of round k, whose action is what
    // round k − 1 decided.
    assert_eq!(report.stages.len(), 11);
    assert_eq!(report.stages[0].quota, units("18.800000001", s));

    // Round 1 (stage 1) elects the two with first preferences over the
    // quota; stage 2 transfers their surpluses.
    let mut first: Vec<u32> = report.stages[0]
        .elected
        .iter()
        .map(|e| e.candidate)
        .collect();
    first.sort_unstable();
    assert_eq!(first, vec![lamarche, rotzler]);
    assert_eq!(report.stages[1].action, StageAction::Surpluses);
    // Rounds 2–5 defeat the four candidates with no vote, by lot; each
    // exclusion is the next stage's action.
    let defeated: Vec<u32> = report.stages[2..6]
        .iter()
        .map(|st| match st.action {
            StageAction::Exclusion { who } => who,
            other => panic!("{other:?}"),
        })
        .collect();
    let mut sorted = defeated.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, zeros);
    assert!(report.ties[..3].iter().all(|t| t.by == TieBy::Lot));
    for (&who, stage) in defeated.iter().zip(&report.stages[2..6]) {
        assert_eq!(stage.votes[who as usize], 0);
    }

    // The surplus of a round that elects is B.2.d's sum over the elected,
    // new ones included (Droop's report prints another figure there, so
    // those two are checked against the sum of its printed votes).
    let expect =
        |stage: usize, pairs: &[(u32, &str)], quota: &str, exhausted: &str, surplus: &str| {
            let st = &report.stages[stage];
            for &(c, figure) in pairs {
                assert_eq!(
                    st.votes[c as usize],
                    units(figure, s),
                    "stage {} candidate {c}",
                    st.number
                );
            }
            assert_eq!(st.quota, units(quota, s), "stage {}", st.number);
            assert_eq!(st.exhausted, units(exhausted, s), "stage {}", st.number);
            let round = st.meek.as_ref().expect("a Meek round");
            assert_eq!(round.surplus, units(surplus, s), "stage {}", st.number);
        };
    // Round 2.
    expect(
        1,
        &[
            (lamarche, "18.800000609"),
            (rotzler, "18.800000299"),
            (dickinson, "8.006073598"),
            (mookerjee, "3.232685848"),
            (sevigny, "9.408174589"),
            (piacsek, "2.759954125"),
            (olsen, "13.000470959"),
            (jones, "1.435843893"),
            (kramer, "18.556796080"),
        ],
        "18.800000001",
        "0",
        "0.000000906",
    );
    // Round 6 defeats Jason Jones (stage 7); round 7 Michael Piacsek.
    assert_eq!(
        report.stages[6].action,
        StageAction::Exclusion { who: jones }
    );
    assert_eq!(
        report.stages[7].action,
        StageAction::Exclusion { who: piacsek }
    );
    expect(
        6,
        &[(olsen, "14.436314852"), (jones, "0")],
        "18.800000001",
        "0",
        "0.000000906",
    );
    // Round 8 (stage 8) elects Steve Kramer, after Piacsek's exclusion.
    assert_eq!(
        report.stages[7].elected,
        vec![Elected {
            candidate: kramer,
            by: ElectedBy::Quota
        }]
    );
    expect(
        7,
        &[
            (lamarche, "19.165213770"),
            (rotzler, "18.800000299"),
            (kramer, "19.718851196"),
            (dickinson, "9.006073598"),
            (mookerjee, "3.394740964"),
            (sevigny, "9.408174589"),
            (olsen, "14.506945584"),
        ],
        "18.800000001",
        "0",
        // 19.165213770 + 18.800000299 + 19.718851196 − 3 × 18.800000001
        "1.284065262",
    );
    // Round 9 transfers the surpluses and defeats Kirit Mookerjee; the
    // quota falls as ballots exhaust.
    assert_eq!(report.stages[8].action, StageAction::Surpluses);
    assert_eq!(
        report.stages[9].action,
        StageAction::Exclusion { who: mookerjee }
    );
    expect(
        8,
        &[
            (lamarche, "18.799133460"),
            (rotzler, "18.799133416"),
            (kramer, "18.799133497"),
            (dickinson, "9.427381450"),
            (sevigny, "9.774255128"),
            (olsen, "14.666479770"),
            (mookerjee, "3.730149807"),
        ],
        "18.799133306",
        "0.004333472",
        "0.000000455",
    );
    // Round 10 defeats Budd Dickinson.
    assert_eq!(
        report.stages[10].action,
        StageAction::Exclusion { who: dickinson }
    );
    expect(
        9,
        &[
            (lamarche, "18.789719457"),
            (rotzler, "18.789719396"),
            (kramer, "18.789719467"),
            (sevigny, "11.498644230"),
            (olsen, "15.876675538"),
            (dickinson, "10.204118384"),
        ],
        "18.789719295",
        "0.051403528",
        "0.000000435",
    );
    // Round 11 elects Kristen Olsen and fills the last seat.
    assert_eq!(
        report.stages[10].elected,
        vec![Elected {
            candidate: olsen,
            by: ElectedBy::Quota
        }]
    );
    expect(
        10,
        &[
            (lamarche, "19.087429756"),
            (rotzler, "19.073682122"),
            (olsen, "19.085721549"),
            (kramer, "19.202438090"),
            (sevigny, "16.482212783"),
            (dickinson, "0"),
        ],
        "18.586296861",
        "1.068515700",
        // Σ of the four elected − 4 × 18.586296861 (Droop: "Defeat
        // remaining … Surplus: 2.104084073")
        "2.104084073",
    );
    assert_eq!(report.quota, units("18.586296861", s));
    assert!(report.stages.iter().all(|st| st.parcels.is_empty()));
    assert_conserved(&report);
}

/// The published Glasgow counts as a result sheet: at every transfer the
/// giver gives its surplus (or all its votes), the parcels moved (papers ×
/// value) are that less what truncation lost, and what the others receive
/// is what moved less what became non-transferable.
#[test]
fn glasgow_2007_transfers_and_parcels_add_up() {
    for text in [
        include_str!("../../../tests/data/stv/calton-2007.blt"),
        include_str!("../../../tests/data/stv/anderston-city-2007.blt"),
    ] {
        let report = run(&parse(text), StvRule::Scottish);
        for pair in report.stages.windows(2) {
            let [before, stage] = pair else { continue };
            let n = stage.number;
            let (giver, gave) = match stage.action {
                StageAction::SurplusTransfer { from, surplus, .. } => (from, surplus),
                StageAction::Exclusion { who } => (who, before.votes[who as usize]),
                other => panic!("stage {n}: {other:?}"),
            };
            let change = |c: u32| {
                stage
                    .transfers
                    .iter()
                    .find(|t| t.candidate == c)
                    .map_or(0, |t| t.change)
            };
            assert_eq!(change(giver), -(gave as i64), "stage {n}");
            let lost = stage.lost - before.lost;
            let exhausted = stage.exhausted - before.exhausted;
            let moved: u64 = stage.parcels.iter().map(|p| p.papers * p.value).sum();
            assert_eq!(moved, gave - lost, "stage {n}");
            let received: i64 = stage
                .transfers
                .iter()
                .filter(|t| t.candidate != giver)
                .map(|t| t.change)
                .sum();
            assert_eq!(received as u64, moved - exhausted, "stage {n}");
            assert!(
                stage
                    .transfers
                    .iter()
                    .all(|t| t.candidate == giver || t.change > 0)
            );
        }
        // Calton's stage 2: Redmond's 1 982 papers at 0.34409.
        if report.stages[0].votes[7] == 1982 * scottish::SCALE {
            assert_eq!(report.stages[1].parcels.len(), 1);
            assert_eq!(report.stages[1].parcels[0].papers, 1982);
            assert_eq!(
                report.stages[1].parcels[0].value,
                units("0.34409", scottish::SCALE)
            );
        }
    }
}

/// Droop's "42" and "513" examples: Pollux ends 4 and 5 units of 10⁻⁹
/// below Helen, outside the surplus, so Pollux is defeated without a draw
/// and Castor and Helen win (`jklundell/droop`
/// `test/ref/report/42-meek-prf-o6-fixed-p9-d9.txt` and `513-…`).
#[test]
fn droop_42_and_513_separate_by_nanovotes() {
    for (file, castor, pollux, surplus) in [
        (
            include_str!("../../../tests/data/stv/droop-42.blt"),
            "2.000000004",
            "1.999999996",
            "0.000000003",
        ),
        (
            include_str!("../../../tests/data/stv/droop-513.blt"),
            "3.000000005",
            "2.999999995",
            "0.000000004",
        ),
    ] {
        let report = run(&parse(file), StvRule::Meek);
        let s = meek::SCALE;
        assert_eq!(report.elected, vec![0, 2]);
        assert!(report.ties.is_empty());
        // Round 2 (stage 2) ends with Pollux lowest; the count is then
        // complete, and stage 3 shows his exclusion carried out.
        let round = &report.stages[1];
        assert_eq!(round.action, StageAction::Surpluses);
        assert_eq!(round.votes[0], units(castor, s));
        assert_eq!(round.votes[1], units(pollux, s));
        assert_eq!(
            round.meek.as_ref().map(|m| m.surplus),
            Some(units(surplus, s))
        );
        let defeat = &report.stages[2];
        assert_eq!(defeat.action, StageAction::Exclusion { who: 1 });
        assert_eq!(defeat.votes[1], 0);
        assert_eq!(report.stages.len(), 3);
        assert_eq!(
            defeat.elected,
            vec![Elected {
                candidate: 2,
                by: ElectedBy::LastVacancies
            }]
        );
    }
}

// ---------------------------------------------------------------------------
// Edge cases and refusals.

#[test]
fn too_few_candidates_are_all_elected_and_withdrawn_ones_never() {
    let mut e = election(3, 3, &[(2, &[0, 1]), (1, &[2, 1])]);
    e.withdrawn = vec![1];
    for rule in [StvRule::Scottish, StvRule::Meek] {
        let report = run(&e, rule);
        assert_eq!(report.elected, vec![0, 2], "{rule:?}");
        assert_eq!(report.withdrawn, vec![1]);
        assert!(report.stages[0].votes[1] == 0);
    }
}

/// An election nobody voted in — or in which no ballot ranks a standing
/// candidate — has no result, under either rule.
#[test]
fn an_election_without_valid_ballots_has_no_result() {
    let mut only_withdrawn = election(4, 2, &[(3, &[1]), (2, &[])]);
    only_withdrawn.withdrawn = vec![1];
    for e in [election(4, 2, &[]), only_withdrawn] {
        for rule in [StvRule::Scottish, StvRule::Meek] {
            let err = count(&e, rule, None, &seed()).unwrap_err();
            assert_eq!(err, StvError::NoBallots, "{rule:?}");
            assert_eq!(err.code(), "no_ballots");
            assert!(err.to_string().starts_with("no_ballots: "), "{err}");
        }
    }
}

/// The limits are refused with their codes, before any counting.
#[test]
fn elections_over_the_limits_are_refused() {
    let e = election(MAX_CANDIDATES + 1, 1, &[(1, &[0])]);
    let err = count(&e, StvRule::Scottish, None, &seed()).unwrap_err();
    assert_eq!(err.code(), "too_many_candidates");
    let many = vec![(1, &[0u32][..]); MAX_BALLOTS + 1];
    let err = count(&election(2, 1, &many), StvRule::Meek, None, &seed()).unwrap_err();
    assert_eq!(
        err,
        StvError::TooManyBallots {
            ballots: MAX_BALLOTS + 1,
            limit: MAX_BALLOTS
        }
    );
    let ranking: Vec<u32> = (0..MAX_CANDIDATES as u32).collect();
    let lines = MAX_PREFERENCES / MAX_CANDIDATES + 1;
    let long = vec![(1, ranking.as_slice()); lines];
    let err = count(
        &election(MAX_CANDIDATES, 1, &long),
        StvRule::Meek,
        None,
        &seed(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "too_many_preferences");
}

#[test]
fn the_seat_override_applies() {
    let e = parse(include_str!("../../../tests/data/stv/calton-2007.blt"));
    let report = count(&e, StvRule::Scottish, Some(1), &seed()).unwrap();
    assert_eq!(report.seats, 1);
    assert_eq!(report.quota, units("2600", scottish::SCALE));
    assert_eq!(report.elected.len(), 1);
    assert_eq!(
        count(&e, StvRule::Meek, Some(0), &seed()),
        Err(StvError::NoSeats)
    );
}

#[test]
fn invalid_elections_are_refused() {
    let e = election(2, 1, &[(1, &[0, 2])]);
    assert!(matches!(
        count(&e, StvRule::Scottish, None, &seed()),
        Err(StvError::UnknownCandidate {
            ballot: 0,
            candidate: 2,
            ..
        })
    ));
    let e = election(2, 1, &[(1, &[1]), (1, &[0, 1, 0])]);
    assert_eq!(
        count(&e, StvRule::Meek, None, &seed()),
        Err(StvError::RankedTwice {
            ballot: 1,
            candidate: 0
        })
    );
    let mut e = election(2, 1, &[(1, &[1])]);
    e.withdrawn = vec![5];
    assert_eq!(
        count(&e, StvRule::Meek, None, &seed()),
        Err(StvError::UnknownWithdrawn { candidate: 5 })
    );
    let e = election(2, 1, &[(MAX_TOTAL_WEIGHT, &[1]), (1, &[0])]);
    assert_eq!(
        count(&e, StvRule::Scottish, None, &seed()),
        Err(StvError::TooManyVotes {
            limit: MAX_TOTAL_WEIGHT
        })
    );
}

#[test]
fn reports_hash_and_render() {
    let e = parse(include_str!("../../../tests/data/stv/calton-2007.blt"));
    let report = run(&e, StvRule::Scottish);
    assert_eq!(
        result_hash(&report),
        result_hash(&run(&e, StvRule::Scottish))
    );
    assert_ne!(result_hash(&report), result_hash(&run(&e, StvRule::Meek)));
    assert_eq!(report.decimal(report.stages[1].votes[8]), "1035.05847");
    fn serialisable<T: serde::Serialize>(_: &T) {}
    serialisable(&report);
}

/// A 60 000-ballot election counts quickly enough to matter in a debug
/// build too (the benchmark measures release builds).
#[test]
fn a_large_election_counts() {
    let mut ballots = Vec::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..60_000 {
        let mut order: Vec<u32> = (0..12).collect();
        for i in (1..order.len()).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        order.truncate(1 + (state >> 33) as usize % 6);
        ballots.push(RankedBallot {
            weight: 1,
            ranking: order,
        });
    }
    let e = Election {
        title: "synthetic".into(),
        candidates: (0..12).map(|c| format!("C{c}")).collect(),
        seats: 4,
        withdrawn: Vec::new(),
        ballots,
    };
    for rule in [StvRule::Scottish, StvRule::Meek] {
        let report = run(&e, rule);
        assert_eq!(report.elected.len(), 4);
        assert_conserved(&report);
    }
}
