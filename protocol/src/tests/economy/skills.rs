//! Skill sharing: offers and requests, deterministic matching, exchanges
//! accepted into the time bank and settled there once, community-defined
//! categories by rules vote, refusals with their codes, and a property
//! test over random sequences.

use proptest::prelude::*;

use super::rules::propose_rules;
use super::*;
use crate::action::{SkillsAction, TimeBankAction};
use crate::crypto::PublicKey;
use crate::economy::skills::{self, ListingKind, ListingState, SkillsRejection};
use crate::economy::time_bank::{self, RecordKind, ShareState};

fn key(who: u8) -> PublicKey {
    keypair(who).public()
}

fn post(kind: ListingKind, category: &str, skill: &str) -> ActionBody {
    ActionBody::Skills(SkillsAction::Post {
        kind,
        category: category.into(),
        skill: skill.into(),
        description: "an hour or two".into(),
        availability: "weekday evenings".into(),
    })
}

fn offer(category: &str, skill: &str) -> ActionBody {
    post(ListingKind::Offer, category, skill)
}

fn request(category: &str, skill: &str) -> ActionBody {
    post(ListingKind::Request, category, skill)
}

fn accept(listing: Hash, minutes: u32) -> ActionBody {
    ActionBody::Skills(SkillsAction::Accept {
        listing,
        minutes,
        note: String::new(),
    })
}

fn withdraw(listing: Hash) -> ActionBody {
    ActionBody::Skills(SkillsAction::Withdraw { listing })
}

fn confirm(record: Hash) -> ActionBody {
    ActionBody::TimeBank(TimeBankAction::Confirm { record })
}

fn decline(record: Hash) -> ActionBody {
    ActionBody::TimeBank(TimeBankAction::Decline {
        record,
        reason: "it did not happen".into(),
    })
}

fn state_of(e: &Econ, id: Hash) -> ListingState {
    skills::listing_view(&e.c.store, &id)
        .expect("store")
        .expect("a listing")
        .state
}

fn code(r: Rejection) -> &'static str {
    match r {
        Rejection::Skills(s) => s.code(),
        other => other.code(),
    }
}

fn sound(e: &Econ) {
    let problems = crate::economy::audit(&e.c.store).expect("store");
    assert!(problems.is_empty(), "{problems:?}");
    e.replays();
}

#[test]
fn listings_are_listed_by_category_newest_first_until_withdrawn() {
    let mut e = Econ::new(3, Rules::default());
    let a = e.ok(1, offer("tutoring", "Algebra"));
    e.wait(1000);
    let b = e.ok(2, request("tutoring", "algebra homework"));
    e.wait(1000);
    let c = e.ok(3, offer("crafts", "Knitting"));
    let ids = |v: Vec<skills::ListingView>| v.iter().map(|l| l.listing.id).collect::<Vec<_>>();
    let all = skills::listings(&e.c.store, None, None, false).expect("store");
    assert_eq!(ids(all), vec![c, b, a]);
    let tutoring = skills::listings(&e.c.store, Some("tutoring"), None, false).expect("store");
    assert_eq!(ids(tutoring), vec![b, a]);
    let offers = skills::listings(
        &e.c.store,
        Some("tutoring"),
        Some(ListingKind::Offer),
        false,
    )
    .expect("store");
    assert_eq!(ids(offers), vec![a]);

    assert_eq!(code(e.no(2, withdraw(a))), "not_listing_author");
    e.ok(1, withdraw(a));
    assert_eq!(state_of(&e, a), ListingState::Withdrawn);
    assert_eq!(code(e.no(1, withdraw(a))), "listing_closed");
    let tutoring = skills::listings(&e.c.store, Some("tutoring"), None, false).expect("store");
    assert_eq!(ids(tutoring), vec![b]);
    let everything = skills::listings(&e.c.store, Some("tutoring"), None, true).expect("store");
    assert_eq!(
        ids(everything),
        vec![b, a],
        "--all shows the withdrawn one too"
    );
    sound(&e);
}

#[test]
fn matches_fit_category_and_skill_ranked_same_skill_then_words_then_newest() {
    let mut e = Econ::new(5, Rules::default());
    let mine = e.ok(1, offer("tutoring", "Algebra for beginners"));
    e.wait(1000);
    let two_words = e.ok(2, request("tutoring", "beginners algebra, please"));
    e.wait(1000);
    let older_one_word = e.ok(3, request("tutoring", "algebra"));
    e.wait(1000);
    let newer_one_word = e.ok(4, request("tutoring", "Linear ALGEBRA"));
    e.wait(1000);
    let same = e.ok(5, request("tutoring", "algebra FOR beginners"));
    // Neither another category nor another skill nor another offer fits.
    e.ok(2, request("digital", "algebra"));
    e.ok(3, request("tutoring", "French"));
    e.ok(4, offer("tutoring", "algebra"));
    let found = skills::matches(&e.c.store, &key(1)).expect("store");
    let order: Vec<Hash> = found.iter().map(|m| m.theirs.listing.id).collect();
    assert_eq!(order, vec![same, two_words, newer_one_word, older_one_word]);
    assert!(found.iter().all(|m| m.mine == mine));
    assert!(found[0].same_skill && !found[1].same_skill);
    assert_eq!(found[1].common_words, 2);
    // The other side sees the offer.
    let theirs = skills::matches(&e.c.store, &key(3)).expect("store");
    assert!(
        theirs
            .iter()
            .any(|m| m.mine == older_one_word && m.theirs.listing.id == mine)
    );
    // A taken request no longer matches.
    e.ok(1, accept(same, 60));
    let found = skills::matches(&e.c.store, &key(1)).expect("store");
    assert!(found.iter().all(|m| m.theirs.listing.id != same));
    sound(&e);
}

#[test]
fn accepting_an_offer_is_time_received_that_the_offerer_confirms() {
    let mut e = Econ::new(2, Rules::default());
    let listing = e.ok(1, offer("digital", "Spreadsheets"));
    let exchange = e.ok(2, accept(listing, 90));
    let record = time_bank::record(&e.c.store, &exchange)
        .expect("store")
        .expect("a record");
    assert_eq!(record.kind, RecordKind::Received);
    assert_eq!(record.provider, key(1));
    assert_eq!(record.shares[0].member, key(2));
    assert_eq!(record.category, "digital");
    assert_eq!(record.note, "Spreadsheets");
    assert_eq!(e.member(1), kc(0), "nothing is paid before confirmation");
    assert_eq!(code(e.no(2, confirm(exchange))), "own_record");
    e.ok(1, confirm(exchange));
    assert_eq!(e.member(1), Kc(1500));
    assert_eq!(e.member(2), Kc(-1500));
    // An offer stays open for more exchanges.
    assert_eq!(state_of(&e, listing), ListingState::Open);
    let view = skills::listing_view(&e.c.store, &listing)
        .expect("store")
        .expect("listing");
    assert_eq!(view.exchanges, vec![exchange]);
    sound(&e);
}

#[test]
fn a_request_is_taken_then_fulfilled_once_and_reopens_when_declined() {
    let mut e = Econ::new(3, Rules::default());
    let listing = e.ok(1, request("crafts", "Sewing a hem"));
    let first = e.ok(2, accept(listing, 60));
    assert_eq!(state_of(&e, listing), ListingState::Taken);
    assert_eq!(code(e.no(3, accept(listing, 60))), "listing_closed");
    e.ok(1, decline(first));
    assert_eq!(state_of(&e, listing), ListingState::Open);
    let second = e.ok(3, accept(listing, 30));
    let record = time_bank::record(&e.c.store, &second)
        .expect("store")
        .expect("a record");
    assert_eq!((record.kind, record.provider), (RecordKind::Logged, key(3)));
    e.ok(1, confirm(second));
    assert_eq!(state_of(&e, listing), ListingState::Fulfilled);
    assert_eq!(e.member(3), Kc(500));
    assert_eq!(e.member(1), Kc(-500));
    assert_eq!(code(e.no(2, accept(listing, 60))), "listing_closed");
    assert_eq!(code(e.no(1, withdraw(listing))), "listing_closed");
    // A request withdrawn while its exchange waits is still fulfilled by
    // the exchange's confirmation: the help was given.
    let other = e.ok(1, request("crafts", "Darning socks"));
    let exchange = e.ok(2, accept(other, 20));
    e.ok(1, withdraw(other));
    assert_eq!(state_of(&e, other), ListingState::Withdrawn);
    e.ok(1, confirm(exchange));
    assert_eq!(state_of(&e, other), ListingState::Fulfilled);
    // The exchange's hours count in the skill's category.
    let totals = time_bank::totals(&e.c.store).expect("store");
    let crafts = totals
        .categories
        .iter()
        .find(|c| c.category == "crafts")
        .expect("crafts");
    assert_eq!(crafts.totals.minutes, 30 + 20);
    sound(&e);
}

#[test]
fn an_unconfirmed_exchange_expires_and_the_request_reopens() {
    let mut e = Econ::new(2, Rules::default());
    let listing = e.ok(1, request("mentorship", "Starting a co-op"));
    let exchange = e.ok(2, accept(listing, 60));
    e.wait(14 * DAY);
    let record = time_bank::record(&e.c.store, &exchange)
        .expect("store")
        .expect("a record");
    assert_eq!(record.shares[0].state, ShareState::Expired);
    assert_eq!(state_of(&e, listing), ListingState::Open);
    sound(&e);
}

#[test]
fn bad_listings_and_accepts_are_refused_with_their_codes() {
    let mut e = Econ::new(2, Rules::default());
    assert_eq!(
        code(e.no(1, offer("juggling", "Three balls"))),
        "unknown_category"
    );
    assert_eq!(code(e.no(1, offer("crafts", "   "))), "invalid_skill");
    assert_eq!(
        code(e.no(1, offer("crafts", &"x".repeat(81)))),
        "invalid_skill"
    );
    let long = ActionBody::Skills(SkillsAction::Post {
        kind: ListingKind::Offer,
        category: "crafts".into(),
        skill: "Pottery".into(),
        description: "x".repeat(1001),
        availability: String::new(),
    });
    assert_eq!(code(e.no(1, long)), "text_too_long");
    assert_eq!(code(e.no(1, accept(Hash([7; 32]), 60))), "unknown_listing");
    assert_eq!(code(e.no(1, withdraw(Hash([7; 32])))), "unknown_listing");
    let listing = e.ok(1, offer("crafts", "Pottery"));
    assert_eq!(code(e.no(1, accept(listing, 60))), "own_listing");
    assert_eq!(code(e.no(2, accept(listing, 0))), "invalid_minutes");
    assert_eq!(code(e.no(2, accept(listing, 1441))), "invalid_minutes");
    let stranger = e.c.action(&keypair(9), 1, accept(listing, 60));
    assert_eq!(refuse_signed(&mut e.c, stranger).code(), "not_a_member");
    for n in 1..skills::MAX_OPEN_LISTINGS {
        e.ok(1, offer("crafts", &format!("Pottery {n}")));
    }
    assert_eq!(
        code(e.no(1, offer("crafts", "One more"))),
        "too_many_listings"
    );
    e.ok(1, withdraw(listing));
    e.ok(1, offer("crafts", "One more"));
    assert!(matches!(
        e.no(1, offer("crafts", "Another")),
        Rejection::Skills(SkillsRejection::TooManyListings)
    ));
    sound(&e);
}

#[test]
fn a_community_adds_its_own_categories_by_rules_vote() {
    let mut e = Econ::new(2, quick_rules());
    assert_eq!(
        code(e.no(1, offer("languages", "Welsh"))),
        "unknown_category"
    );
    let hours = |category: &str| {
        ActionBody::TimeBank(TimeBankAction::Log {
            recipients: vec![key(2)],
            minutes: 60,
            category: category.into(),
            note: String::new(),
        })
    };
    assert_eq!(e.no(1, hours("music")).code(), "unknown_category");
    // Invalid category lists are refused when proposed.
    for (k, v) in [
        ("time_bank_categories", "Music"),
        ("time_bank_categories", "gardening"),
        ("skills.categories", "languages, languages"),
        ("skills.categories", "crafts"),
    ] {
        assert_eq!(
            e.no(1, propose_rules(&[(k, v)])).code(),
            "invalid_rule",
            "{k} = {v}"
        );
    }
    let id = e.ok(
        1,
        propose_rules(&[
            ("time_bank_categories", "music, pet_care"),
            ("skills.categories", "languages"),
        ]),
    );
    e.wait(2 * 3_600_000 + 1);
    e.ok(1, agree(id));
    e.ok(2, agree(id));
    e.wait(3_600_000);
    let rules = crate::state::rules::in_force(&e.c.store).expect("store");
    assert_eq!(
        time_bank::categories(&rules)[6..],
        [
            "music",
            "pet_care",
            "tutoring",
            "mentorship",
            "crafts",
            "digital",
            "languages"
        ]
    );
    let record = e.ok(1, hours("music"));
    e.ok(2, confirm(record));
    e.ok(1, offer("languages", "Welsh"));
    let totals = time_bank::totals(&e.c.store).expect("store");
    let names: Vec<&str> = totals
        .categories
        .iter()
        .map(|c| c.category.as_str())
        .collect();
    assert_eq!(names.len(), 13);
    assert_eq!(totals.categories[6].totals.minutes, 60);
    sound(&e);
}

#[derive(Clone, Debug)]
enum Step {
    Post(u8, bool, usize),
    Withdraw(u8, usize),
    Accept(u8, usize, u32),
    /// The recent exchange's confirmer confirms, or declines.
    Settle(usize, bool),
    Wait(u64),
}

const SKILLS: [&str; 3] = ["algebra", "linear algebra", "french"];

fn step() -> impl Strategy<Value = Step> {
    let who = 1u8..=4;
    let recent = 0usize..6;
    prop_oneof![
        3 => (who.clone(), any::<bool>(), 0usize..3).prop_map(|(a, o, s)| Step::Post(a, o, s)),
        1 => (who.clone(), recent.clone()).prop_map(|(a, i)| Step::Withdraw(a, i)),
        4 => (who, recent.clone(), prop_oneof![4 => 1u32..=120, 1 => 0u32..=2000])
            .prop_map(|(a, i, m)| Step::Accept(a, i, m)),
        4 => (recent, any::<bool>()).prop_map(|(i, c)| Step::Settle(i, c)),
        1 => (1u64..(20 * DAY)).prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A request is fulfilled by at most one confirmed exchange and no
    /// exchange is paid before its confirmation; Σ = 0 and every floor
    /// hold after every step (`Econ::check`), refused actions change
    /// nothing, every match is open, of the other kind and the same
    /// category, and replay rebuilds the state.
    #[test]
    fn exchanges_settle_once_and_matches_are_always_open_fits(
        steps in prop::collection::vec(step(), 1..40)
    ) {
        let mut e = Econ::new(4, Rules { credit_limit: kc(3), ..Rules::default() });
        let mut listings: Vec<Hash> = Vec::new();
        let mut exchanges: Vec<Hash> = Vec::new();
        for step in steps {
            match step {
                Step::Post(a, is_offer, s) => {
                    let kind = if is_offer { ListingKind::Offer } else { ListingKind::Request };
                    if let Some(id) = e.attempt(a, post(kind, "tutoring", SKILLS[s])) {
                        listings.push(id);
                    }
                }
                Step::Withdraw(..) | Step::Accept(..) if listings.is_empty() => {}
                Step::Withdraw(a, i) => {
                    let _ = e.attempt(a, withdraw(listings[listings.len() - 1 - i % listings.len()]));
                }
                Step::Accept(a, i, m) => {
                    let listing = listings[listings.len() - 1 - i % listings.len()];
                    if let Some(id) = e.attempt(a, accept(listing, m)) {
                        exchanges.push(id);
                    }
                }
                Step::Settle(..) if exchanges.is_empty() => {}
                Step::Settle(i, yes) => {
                    let id = exchanges[exchanges.len() - 1 - i % exchanges.len()];
                    let r = time_bank::record(&e.c.store, &id).expect("store").expect("record");
                    let who = r.confirmer(&r.shares[0]);
                    let a = (1..=4u8).find(|n| key(*n) == who).expect("a member");
                    let _ = e.attempt(a, if yes { confirm(id) } else { decline(id) });
                }
                Step::Wait(ms) => {
                    e.wait(ms);
                }
            }
        }
        for id in &listings {
            let view = skills::listing_view(&e.c.store, id).expect("store").expect("listing");
            let confirmed = view.exchanges.iter().filter(|x| {
                let r = time_bank::record(&e.c.store, x).expect("store").expect("record");
                r.shares[0].state == ShareState::Confirmed
            }).count();
            if view.listing.kind == ListingKind::Request {
                prop_assert!(confirmed <= 1, "a request fulfilled twice");
                prop_assert_eq!(confirmed == 1, view.state == ListingState::Fulfilled);
            }
        }
        for id in &exchanges {
            let r = time_bank::record(&e.c.store, id).expect("store").expect("record");
            let s = &r.shares[0];
            let paid = time_bank::share_value(r.minutes, kc(1));
            prop_assert_eq!(s.paid, if s.state == ShareState::Confirmed { paid } else { Kc::ZERO });
        }
        for who in 1..=4u8 {
            for m in skills::matches(&e.c.store, &key(who)).expect("store") {
                let mine = skills::listing_view(&e.c.store, &m.mine).expect("store").expect("mine");
                prop_assert_eq!(mine.state, ListingState::Open);
                prop_assert_eq!(m.theirs.state, ListingState::Open);
                prop_assert_eq!(m.theirs.listing.kind, mine.listing.kind.other());
                prop_assert!(m.theirs.listing.author != key(who));
            }
        }
        sound(&e);
    }
}
