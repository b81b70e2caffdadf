/// The instances under `data/`, by path.
const FILES: &[(&str, &str)] = &[
    (
        "crosscheck/random-00-approval.pb",
        include_str!("data/crosscheck/random-00-approval.pb"),
    ),
    (
        "crosscheck/random-01-approval.pb",
        include_str!("data/crosscheck/random-01-approval.pb"),
    ),
    (
        "crosscheck/random-02-approval.pb",
        include_str!("data/crosscheck/random-02-approval.pb"),
    ),
    (
        "crosscheck/random-03-approval.pb",
        include_str!("data/crosscheck/random-03-approval.pb"),
    ),
    (
        "crosscheck/random-04-approval.pb",
        include_str!("data/crosscheck/random-04-approval.pb"),
    ),
    (
        "crosscheck/random-05-approval.pb",
        include_str!("data/crosscheck/random-05-approval.pb"),
    ),
    (
        "crosscheck/random-06-approval.pb",
        include_str!("data/crosscheck/random-06-approval.pb"),
    ),
    (
        "crosscheck/random-07-approval.pb",
        include_str!("data/crosscheck/random-07-approval.pb"),
    ),
    (
        "crosscheck/random-08-cumulative.pb",
        include_str!("data/crosscheck/random-08-cumulative.pb"),
    ),
    (
        "crosscheck/random-09-cumulative.pb",
        include_str!("data/crosscheck/random-09-cumulative.pb"),
    ),
    (
        "crosscheck/random-10-cumulative.pb",
        include_str!("data/crosscheck/random-10-cumulative.pb"),
    ),
    (
        "crosscheck/random-11-cumulative.pb",
        include_str!("data/crosscheck/random-11-cumulative.pb"),
    ),
    (
        "france_toulouse_2019_excerpt.pb",
        include_str!("data/france_toulouse_2019_excerpt.pb"),
    ),
    (
        "netherlands_assen_2024.pb",
        include_str!("data/netherlands_assen_2024.pb"),
    ),
    (
        "poland_swiecie_2023.pb",
        include_str!("data/poland_swiecie_2023.pb"),
    ),
    (
        "poland_warszawa_2017_plac-wojska-polskiego.pb",
        include_str!("data/poland_warszawa_2017_plac-wojska-polskiego.pb"),
    ),
    (
        "poland_wieliczka_2023_green-budget.pb",
        include_str!("data/poland_wieliczka_2023_green-budget.pb"),
    ),
];

/// `scripts/pb_crosscheck.py` output: what pabutools 1.2.3 selects, in
/// selection order, configured as Hearth defines each rule (tie rule
/// included, seed `Hash::of("hearth pb crosscheck", b"")`). For `mes-add1`
/// that is equalshares.net's Add1 completion run over pabutools' MES, not
/// pabutools' `voter_budget_increment=1` (which stops at the first
/// exhaustive outcome); the script also found that, on the three municipal
/// Equal Shares instances (Assen 2024, Świecie 2023, Wieliczka 2023), it
/// selects the official `selected` set.
const PABUTOOLS: &[(&str, &str, &[&str])] = &[
    (
        "france_toulouse_2019_excerpt.pb",
        "greedy",
        &[
            "6", "14", "7", "5", "10", "20", "2", "25", "13", "22", "1", "23", "11", "8", "30", "3",
        ],
    ),
    (
        "france_toulouse_2019_excerpt.pb",
        "greedy-cost",
        &[
            "10", "20", "6", "14", "1", "7", "30", "2", "25", "23", "5", "3", "13", "11", "8", "22",
        ],
    ),
    (
        "france_toulouse_2019_excerpt.pb",
        "mes",
        &[
            "10", "20", "6", "14", "1", "7", "30", "2", "25", "23", "5", "3", "13", "8",
        ],
    ),
    (
        "france_toulouse_2019_excerpt.pb",
        "mes-add1",
        &[
            "10", "20", "6", "14", "1", "7", "30", "2", "25", "23", "5", "3", "13", "11", "8", "22",
        ],
    ),
    (
        "france_toulouse_2019_excerpt.pb",
        "mes-add1-greedy",
        &[
            "10", "20", "6", "14", "1", "7", "30", "2", "25", "23", "5", "3", "13", "11", "8", "22",
        ],
    ),
    (
        "netherlands_assen_2024.pb",
        "greedy",
        &["3", "9", "8", "2", "11", "13", "14"],
    ),
    (
        "netherlands_assen_2024.pb",
        "greedy-cost",
        &["13", "12", "3", "14", "5", "2", "9", "11", "6", "7"],
    ),
    (
        "netherlands_assen_2024.pb",
        "mes",
        &["3", "9", "2", "13", "11", "14", "12"],
    ),
    (
        "netherlands_assen_2024.pb",
        "mes-add1",
        &["3", "9", "2", "11", "13", "14", "5", "6", "12"],
    ),
    (
        "netherlands_assen_2024.pb",
        "mes-add1-greedy",
        &["3", "9", "2", "11", "13", "14", "5", "6", "12", "7"],
    ),
    (
        "poland_swiecie_2023.pb",
        "greedy",
        &["c12", "c8", "c10", "c20", "c21", "c2", "c3", "c9", "c11"],
    ),
    (
        "poland_swiecie_2023.pb",
        "greedy-cost",
        &[
            "c20", "c3", "c10", "c2", "c7", "c11", "c13", "c9", "c12", "c1", "c5", "c19", "c18",
            "c4", "c17", "c15", "c14", "c16",
        ],
    ),
    (
        "poland_swiecie_2023.pb",
        "mes",
        &[
            "c12", "c10", "c20", "c2", "c3", "c9", "c1", "c13", "c11", "c7", "c4", "c19", "c18",
        ],
    ),
    (
        "poland_swiecie_2023.pb",
        "mes-add1",
        &[
            "c12", "c10", "c20", "c21", "c2", "c3", "c13", "c1", "c9", "c11", "c4", "c7", "c19",
            "c5", "c17", "c18", "c14",
        ],
    ),
    (
        "poland_swiecie_2023.pb",
        "mes-add1-greedy",
        &[
            "c12", "c10", "c20", "c21", "c2", "c3", "c13", "c1", "c9", "c11", "c4", "c7", "c19",
            "c5", "c17", "c18", "c14",
        ],
    ),
    (
        "poland_warszawa_2017_plac-wojska-polskiego.pb",
        "greedy",
        &["427", "915", "2567", "1623"],
    ),
    (
        "poland_warszawa_2017_plac-wojska-polskiego.pb",
        "greedy-cost",
        &["915", "1623", "427", "2567"],
    ),
    (
        "poland_warszawa_2017_plac-wojska-polskiego.pb",
        "mes",
        &["427", "915", "1623"],
    ),
    (
        "poland_warszawa_2017_plac-wojska-polskiego.pb",
        "mes-add1",
        &["427", "915", "2567", "1623"],
    ),
    (
        "poland_warszawa_2017_plac-wojska-polskiego.pb",
        "mes-add1-greedy",
        &["427", "915", "2567", "1623"],
    ),
    (
        "poland_wieliczka_2023_green-budget.pb",
        "greedy",
        &[
            "24", "41", "40", "74", "19", "6", "21", "32", "39", "58", "42", "25", "16", "43",
            "20", "60", "29", "33", "17", "70", "34", "87", "8",
        ],
    ),
    (
        "poland_wieliczka_2023_green-budget.pb",
        "greedy-cost",
        &[
            "39", "24", "62", "43", "36", "56", "20", "34", "70", "60", "33", "66", "26", "25",
            "32", "58", "69", "42", "88", "29", "8", "71", "67", "17", "74", "41", "16", "7", "54",
            "40", "9", "19", "46",
        ],
    ),
    (
        "poland_wieliczka_2023_green-budget.pb",
        "mes",
        &[
            "24", "41", "74", "39", "58", "25", "20", "43", "60", "17", "29", "70", "26", "71",
            "62", "88", "34", "36", "56", "66", "69",
        ],
    ),
    (
        "poland_wieliczka_2023_green-budget.pb",
        "mes-add1",
        &[
            "24", "41", "40", "74", "19", "6", "58", "32", "25", "20", "60", "43", "29", "39",
            "17", "42", "26", "70", "34", "71", "62", "88", "9", "61", "7", "36", "46", "33", "56",
            "69",
        ],
    ),
    (
        "poland_wieliczka_2023_green-budget.pb",
        "mes-add1-greedy",
        &[
            "24", "41", "40", "74", "19", "6", "58", "32", "25", "20", "60", "43", "29", "39",
            "17", "42", "26", "70", "34", "71", "62", "88", "9", "61", "7", "36", "46", "33", "56",
            "69",
        ],
    ),
    (
        "crosscheck/random-00-approval.pb",
        "greedy",
        &["p0", "p3", "p4"],
    ),
    (
        "crosscheck/random-00-approval.pb",
        "greedy-cost",
        &["p0", "p4", "p3"],
    ),
    ("crosscheck/random-00-approval.pb", "mes", &["p0"]),
    (
        "crosscheck/random-00-approval.pb",
        "mes-add1",
        &["p0", "p3", "p4"],
    ),
    (
        "crosscheck/random-00-approval.pb",
        "mes-add1-greedy",
        &["p0", "p3", "p4"],
    ),
    (
        "crosscheck/random-01-approval.pb",
        "greedy",
        &["p3", "p4", "p1"],
    ),
    (
        "crosscheck/random-01-approval.pb",
        "greedy-cost",
        &["p4", "p3", "p1"],
    ),
    ("crosscheck/random-01-approval.pb", "mes", &["p4"]),
    (
        "crosscheck/random-01-approval.pb",
        "mes-add1",
        &["p3", "p4"],
    ),
    (
        "crosscheck/random-01-approval.pb",
        "mes-add1-greedy",
        &["p3", "p4", "p1"],
    ),
    (
        "crosscheck/random-02-approval.pb",
        "greedy",
        &["p4", "p3", "p7", "p5"],
    ),
    (
        "crosscheck/random-02-approval.pb",
        "greedy-cost",
        &["p4", "p7", "p3", "p5"],
    ),
    (
        "crosscheck/random-02-approval.pb",
        "mes",
        &["p4", "p3", "p7"],
    ),
    (
        "crosscheck/random-02-approval.pb",
        "mes-add1",
        &["p4", "p3", "p7", "p5"],
    ),
    (
        "crosscheck/random-02-approval.pb",
        "mes-add1-greedy",
        &["p4", "p3", "p7", "p5"],
    ),
    (
        "crosscheck/random-03-approval.pb",
        "greedy",
        &["p3", "p1", "p5", "p8", "p4", "p0"],
    ),
    (
        "crosscheck/random-03-approval.pb",
        "greedy-cost",
        &["p8", "p3", "p4", "p1", "p0", "p5"],
    ),
    (
        "crosscheck/random-03-approval.pb",
        "mes",
        &["p3", "p1", "p8", "p4"],
    ),
    (
        "crosscheck/random-03-approval.pb",
        "mes-add1",
        &["p3", "p1", "p5", "p8", "p4", "p0"],
    ),
    (
        "crosscheck/random-03-approval.pb",
        "mes-add1-greedy",
        &["p3", "p1", "p5", "p8", "p4", "p0"],
    ),
    (
        "crosscheck/random-04-approval.pb",
        "greedy",
        &["p10", "p3", "p1", "p0", "p2", "p8", "p5", "p4", "p7"],
    ),
    (
        "crosscheck/random-04-approval.pb",
        "greedy-cost",
        &["p2", "p10", "p4", "p3", "p8", "p1", "p5", "p7", "p0"],
    ),
    (
        "crosscheck/random-04-approval.pb",
        "mes",
        &["p10", "p3", "p1", "p2", "p8", "p5", "p4", "p7"],
    ),
    (
        "crosscheck/random-04-approval.pb",
        "mes-add1",
        &["p10", "p3", "p1", "p0", "p2", "p8", "p5", "p4", "p7"],
    ),
    (
        "crosscheck/random-04-approval.pb",
        "mes-add1-greedy",
        &["p10", "p3", "p1", "p0", "p2", "p8", "p5", "p4", "p7"],
    ),
    (
        "crosscheck/random-05-approval.pb",
        "greedy",
        &["p0", "p3", "p4", "p6", "p1"],
    ),
    (
        "crosscheck/random-05-approval.pb",
        "greedy-cost",
        &["p0", "p3", "p6", "p4", "p1"],
    ),
    ("crosscheck/random-05-approval.pb", "mes", &["p0", "p3"]),
    (
        "crosscheck/random-05-approval.pb",
        "mes-add1",
        &["p0", "p3", "p4", "p6", "p1"],
    ),
    (
        "crosscheck/random-05-approval.pb",
        "mes-add1-greedy",
        &["p0", "p3", "p4", "p6", "p1"],
    ),
    (
        "crosscheck/random-06-approval.pb",
        "greedy",
        &["p0", "p7", "p5", "p14", "p11", "p8", "p6", "p12"],
    ),
    (
        "crosscheck/random-06-approval.pb",
        "greedy-cost",
        &["p6", "p11", "p5", "p14", "p7", "p0", "p4", "p12", "p2"],
    ),
    (
        "crosscheck/random-06-approval.pb",
        "mes",
        &["p0", "p7", "p5", "p14", "p11", "p6"],
    ),
    (
        "crosscheck/random-06-approval.pb",
        "mes-add1",
        &["p0", "p7", "p5", "p14", "p11", "p6", "p4", "p2", "p12"],
    ),
    (
        "crosscheck/random-06-approval.pb",
        "mes-add1-greedy",
        &["p0", "p7", "p5", "p14", "p11", "p6", "p4", "p2", "p12"],
    ),
    (
        "crosscheck/random-07-approval.pb",
        "greedy",
        &["p2", "p12", "p19", "p15", "p3", "p5", "p16", "p0", "p4"],
    ),
    (
        "crosscheck/random-07-approval.pb",
        "greedy-cost",
        &[
            "p0", "p19", "p2", "p14", "p4", "p12", "p3", "p6", "p16", "p8", "p10", "p13", "p1",
            "p15",
        ],
    ),
    (
        "crosscheck/random-07-approval.pb",
        "mes",
        &[
            "p2", "p12", "p19", "p15", "p3", "p0", "p16", "p8", "p10", "p4", "p14",
        ],
    ),
    (
        "crosscheck/random-07-approval.pb",
        "mes-add1",
        &[
            "p2", "p12", "p19", "p15", "p3", "p16", "p0", "p8", "p6", "p10", "p4", "p13", "p14",
            "p1",
        ],
    ),
    (
        "crosscheck/random-07-approval.pb",
        "mes-add1-greedy",
        &[
            "p2", "p12", "p19", "p15", "p3", "p16", "p0", "p8", "p6", "p10", "p4", "p13", "p14",
            "p1",
        ],
    ),
    (
        "crosscheck/random-08-cumulative.pb",
        "greedy",
        &["p5", "p0", "p2"],
    ),
    (
        "crosscheck/random-08-cumulative.pb",
        "greedy-cost",
        &["p2", "p5", "p0"],
    ),
    ("crosscheck/random-08-cumulative.pb", "mes", &["p2", "p5"]),
    (
        "crosscheck/random-08-cumulative.pb",
        "mes-add1",
        &["p2", "p5", "p0"],
    ),
    (
        "crosscheck/random-08-cumulative.pb",
        "mes-add1-greedy",
        &["p2", "p5", "p0"],
    ),
    (
        "crosscheck/random-09-cumulative.pb",
        "greedy",
        &["p6", "p5", "p2", "p3", "p4"],
    ),
    (
        "crosscheck/random-09-cumulative.pb",
        "greedy-cost",
        &["p6", "p5", "p3", "p4", "p0", "p7"],
    ),
    (
        "crosscheck/random-09-cumulative.pb",
        "mes",
        &["p6", "p5", "p3", "p4"],
    ),
    (
        "crosscheck/random-09-cumulative.pb",
        "mes-add1",
        &["p6", "p5", "p3", "p4", "p0"],
    ),
    (
        "crosscheck/random-09-cumulative.pb",
        "mes-add1-greedy",
        &["p6", "p5", "p3", "p4", "p0", "p7"],
    ),
    (
        "crosscheck/random-10-cumulative.pb",
        "greedy",
        &["p7", "p3", "p5", "p6", "p2", "p1", "p9", "p8"],
    ),
    (
        "crosscheck/random-10-cumulative.pb",
        "greedy-cost",
        &["p2", "p7", "p1", "p5", "p6", "p3", "p9", "p8"],
    ),
    (
        "crosscheck/random-10-cumulative.pb",
        "mes",
        &["p2", "p7", "p1", "p5", "p6", "p3"],
    ),
    (
        "crosscheck/random-10-cumulative.pb",
        "mes-add1",
        &["p2", "p7", "p1", "p5", "p6", "p3", "p9", "p8"],
    ),
    (
        "crosscheck/random-10-cumulative.pb",
        "mes-add1-greedy",
        &["p2", "p7", "p1", "p5", "p6", "p3", "p9", "p8"],
    ),
    (
        "crosscheck/random-11-cumulative.pb",
        "greedy",
        &["p5", "p11", "p6", "p9", "p2", "p1"],
    ),
    (
        "crosscheck/random-11-cumulative.pb",
        "greedy-cost",
        &["p7", "p11", "p1", "p5", "p0", "p9", "p2", "p8", "p3", "p10"],
    ),
    (
        "crosscheck/random-11-cumulative.pb",
        "mes",
        &["p7", "p11", "p1", "p5", "p0", "p9", "p2", "p8"],
    ),
    (
        "crosscheck/random-11-cumulative.pb",
        "mes-add1",
        &["p7", "p11", "p1", "p5", "p0", "p9", "p2", "p8", "p3"],
    ),
    (
        "crosscheck/random-11-cumulative.pb",
        "mes-add1-greedy",
        &["p7", "p11", "p1", "p5", "p0", "p9", "p2", "p8", "p3", "p10"],
    ),
];
