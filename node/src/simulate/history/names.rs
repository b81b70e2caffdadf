//! The words of a simulated community: names, memos, tools, skills,
//! proposals.

/// First names, combined with [`FAMILY`] into member names.
const FIRST: &[&str] = &[
    "Ada", "Bea", "Cai", "Dana", "Eli", "Fatou", "Gus", "Hana", "Ivo", "Jun", "Kofi", "Lena",
    "Mina", "Nils", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Vik", "Wen", "Yara",
    "Zeno",
];

/// Family names.
const FAMILY: &[&str] = &[
    "Abara",
    "Berg",
    "Costa",
    "Diallo",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Umarov",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
];

/// The display name of member `i`.
pub fn name(i: usize) -> String {
    let first = FIRST[i % FIRST.len()];
    let family = FAMILY[(i / FIRST.len()) % FAMILY.len()];
    let round = i / (FIRST.len() * FAMILY.len());
    if round == 0 {
        format!("{first} {family}")
    } else {
        format!("{first} {family} {}", round + 1)
    }
}

/// Transfer memos.
pub const MEMOS: &[&str] = &[
    "vegetables from the allotment",
    "bike repair",
    "share of the bulk order",
    "thanks for the lift",
    "eggs",
    "firewood",
    "concert tickets",
    "half of the pizza",
    "sewing the curtains",
    "",
];

/// Time bank categories.
pub const HOUR_CATEGORIES: &[&str] = &[
    "childcare",
    "eldercare",
    "transportation",
    "home_repair",
    "gardening",
    "cooking",
];

/// Time bank notes.
pub const HOUR_NOTES: &[&str] = &[
    "after school",
    "Saturday morning",
    "to the hospital and back",
    "fixed the gutter",
    "weeding and planting",
    "meals for the week",
    "",
];

/// Why a time record is declined.
pub const DECLINES: &[&str] = &[
    "that was a favour, not an exchange",
    "the time is wrong",
    "this did not happen",
];

/// Community tools: name and category.
pub const TOOLS: &[(&str, &str)] = &[
    ("Cordless drill", "power tools"),
    ("Ladder, 3 m", "building"),
    ("Lawn mower", "garden"),
    ("Pressure washer", "cleaning"),
    ("Tile cutter", "building"),
    ("Camping tent", "outdoors"),
    ("Sewing machine", "crafts"),
    ("Circular saw", "power tools"),
    ("Carpet cleaner", "cleaning"),
    ("Hedge trimmer", "garden"),
    ("Projector", "events"),
    ("Cargo bike", "transport"),
];

/// Learning skills: name, description, prerequisite (index).
pub const SKILLS: &[(&str, &str, Option<usize>)] = &[
    (
        "First aid",
        "Recovery position, CPR, bleeding and burns.",
        None,
    ),
    (
        "Advanced first aid",
        "Fractures, emergencies outdoors, leading a rescue.",
        Some(0),
    ),
    (
        "Bicycle repair",
        "Punctures, brakes, gears and chains.",
        None,
    ),
    (
        "Bread baking",
        "Sourdough starters, kneading and shaping.",
        None,
    ),
    ("Python basics", "Variables, loops and functions.", None),
    (
        "Permaculture",
        "Designing gardens that look after themselves.",
        None,
    ),
];

/// Skill listings: category and skill.
pub const LISTINGS: &[(&str, &str)] = &[
    ("tutoring", "Maths for teenagers"),
    ("tutoring", "Spanish conversation"),
    ("mentorship", "Starting a small business"),
    ("mentorship", "Job interviews"),
    ("crafts", "Knitting"),
    ("crafts", "Furniture restoration"),
    ("digital", "Setting up a phone"),
    ("digital", "Spreadsheets"),
];

/// When a listing's author is free.
pub const AVAILABILITY: &[&str] = &["weekday evenings", "weekends", "mornings", "any time"];

/// Booking notes.
pub const BOOKING_NOTES: &[&str] = &[
    "quiet work",
    "choir rehearsal",
    "birthday party",
    "repair café",
    "planting",
    "",
];

/// Why aid is asked for.
pub const AID_REASONS: &[&str] = &[
    "the boiler broke down",
    "lost my job last month",
    "unexpected dental bill",
    "rent is due and pay is late",
];

/// What a claim is for.
pub const CLAIM_REASONS: &[&str] = &[
    "physiotherapy sessions",
    "new glasses",
    "prescription costs",
    "water damage in the kitchen",
];

/// Where sessions are held.
pub const PLACES: &[&str] = &["Community hall", "Library", "Garden shed", "Online"];

/// Policy questions.
pub const POLICIES: &[(&str, &str)] = &[
    (
        "Quiet hours in the coworking room",
        "No calls in the coworking room before 10:00.",
    ),
    (
        "Monthly repair café",
        "Hold a repair café on the first Saturday of each month.",
    ),
    (
        "Compost collection",
        "Collect kitchen compost for the garden beds twice a week.",
    ),
    (
        "Welcome buddies",
        "Pair every new member with a buddy for their first month.",
    ),
    (
        "Car-free street day",
        "Close the high street to cars one Sunday a month.",
    ),
];

/// Choices between options.
pub const CHOICES: &[(&str, &[&str])] = &[
    (
        "Day of the summer fair",
        &[
            "First Saturday of July",
            "Last Sunday of June",
            "Midsummer evening",
        ],
    ),
    (
        "Name of the newsletter",
        &["The Hearth", "Neighbourly", "Riverside News"],
    ),
];

/// Emergency decisions.
pub const EMERGENCIES: &[(&str, &str)] = &[
    (
        "Close the hall after the storm",
        "The roof leaks: the hall stays closed until it is repaired.",
    ),
    (
        "Heating centre during the cold snap",
        "Open the hall at night as a warm space this week.",
    ),
];
