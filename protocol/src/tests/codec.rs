//! The canonical encoding (DESIGN §3): every record round-trips, and bytes
//! that are not exactly one record's canonical encoding — trailing,
//! truncated, oversized, over-long length prefixes, varints, invalid tags,
//! unknown variants — are refused with a precise error, never a panic.

use std::fmt::Debug;

use bincode::de::Decoder;
use bincode::error::DecodeError;
use bincode::{Decode, Encode};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::RngSeed;

use crate::action::{
    Action, ActionBody, GovernanceAction, LedgerAction, MembershipAction, SignedAction,
};
use crate::codec::{self, Canonical, Error, MAX_ACTION_BYTES, MAX_RECORD_BYTES};
use crate::community::{
    Admission, CouncilRules, Genesis, LevelRules, Method, PassWhen, ProposalDurations, Rules, Ties,
};
use crate::crypto::{Hash, PublicKey, Signature};
use crate::economy::Approval;
use crate::economy::aid::AidGuidelines;
use crate::economy::insurance::InsuranceRules;
use crate::economy::skills::SkillRules;
use crate::governance::{
    Ballot, Level, Moderation, Position, Project, Proposal, ProposalKind, ProposalRef, Scope,
    Subject, Topic, Within, YesNo,
};
use crate::log::{Entry, EntryBody, LogId, LogKind, NodeRecord, SignedEntry};
use crate::state::{Invite, Member, MemberStatus, Seat};
use crate::units::{Kc, Millis, Ratio, Timestamp};

/// Proptest settings shared by the protocol's property tests: `cases`
/// cases, no regression files written into the source tree, and a fixed
/// seed when the `SEED` environment variable holds one (STYLE "Tests").
pub(crate) fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if let Some(seed) = std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}

// ---------------------------------------------------------------------------
// Strategies for the record types.

fn hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

fn public_key() -> impl Strategy<Value = PublicKey> {
    any::<[u8; 32]>().prop_map(PublicKey)
}

fn signature() -> impl Strategy<Value = Signature> {
    (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(a, b)| {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&a);
        bytes[32..].copy_from_slice(&b);
        Signature(bytes)
    })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    any::<u64>().prop_map(Timestamp)
}

fn millis() -> impl Strategy<Value = Millis> {
    any::<u64>().prop_map(Millis)
}

fn kc() -> impl Strategy<Value = Kc> {
    any::<i64>().prop_map(Kc)
}

/// Free text, multi-byte characters included.
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}

fn action_body() -> impl Strategy<Value = ActionBody> {
    prop_oneof![
        (public_key(), timestamp()).prop_map(|(key, expires)| ActionBody::Membership(
            MembershipAction::IssueInvite { key, expires }
        )),
        (public_key(), signature()).prop_map(|(invite, proof)| ActionBody::Membership(
            MembershipAction::Join { invite, proof }
        )),
        Just(ActionBody::Membership(MembershipAction::Leave)),
        (public_key(), text()).prop_map(|(member, reason)| ActionBody::Membership(
            MembershipAction::RemoveMember { member, reason }
        )),
        (public_key(), kc(), text()).prop_map(|(to, amount, memo)| ActionBody::Ledger(
            LedgerAction::Transfer { to, amount, memo }
        )),
        governance_body(),
        tools_body(),
        learning_body(),
    ]
}

fn learning_body() -> impl Strategy<Value = ActionBody> {
    use crate::economy::learning::LearningAction as L;
    prop_oneof![
        (text(), text(), vec(hash(), 0..3)).prop_map(|(name, description, prerequisites)| {
            L::AddSkill {
                name,
                description,
                prerequisites,
            }
        }),
        (hash(), text(), text(), vec(hash(), 0..3)).prop_map(
            |(skill, name, description, prerequisites)| L::EditSkill {
                skill,
                name,
                description,
                prerequisites,
            }
        ),
        (hash(), timestamp(), timestamp(), text(), any::<u32>()).prop_map(
            |(skill, start, end, place, capacity)| L::Schedule {
                skill,
                start,
                end,
                place,
                capacity,
            }
        ),
        hash().prop_map(|session| L::Enrol { session }),
        hash().prop_map(|session| L::Cancel { session }),
        hash().prop_map(|session| L::Confirm { session }),
        (public_key(), hash()).prop_map(|(member, skill)| L::Endorse { member, skill }),
        (public_key(), hash()).prop_map(|(member, skill)| L::Unendorse { member, skill }),
        (hash(), any::<bool>()).prop_map(|(skill, offer)| L::Teach { skill, offer }),
        kc().prop_map(|amount| L::Contribute { amount }),
    ]
    .prop_map(ActionBody::Learning)
}

fn tools_body() -> impl Strategy<Value = ActionBody> {
    use crate::economy::tools::{Condition, MaintenancePlan, ToolsAction};
    prop_oneof![
        (
            (text(), text(), any::<bool>()),
            (kc(), millis(), kc()),
            (any::<u32>(), any::<u32>())
        )
            .prop_map(
                |((name, category, own), (deposit, loan_period, replacement), (l, d))| {
                    ToolsAction::Add {
                        name,
                        category,
                        own,
                        deposit,
                        loan_period,
                        replacement,
                        plan: MaintenancePlan {
                            every_loans: l,
                            every_days: d,
                        },
                    }
                }
            ),
        hash().prop_map(|item| ToolsAction::Checkout { item }),
        hash().prop_map(|item| ToolsAction::Hold { item }),
        hash().prop_map(|item| ToolsAction::CancelHold { item }),
        hash().prop_map(|item| ToolsAction::Renew { item }),
        hash().prop_map(|item| ToolsAction::Return { item }),
        (
            hash(),
            prop_oneof![
                Just(Condition::Good),
                Just(Condition::Damaged),
                Just(Condition::Lost)
            ],
            text()
        )
            .prop_map(|(item, condition, note)| ToolsAction::Inspect {
                item,
                condition,
                note
            }),
        (hash(), text()).prop_map(|(item, note)| ToolsAction::Maintain { item, note }),
        (hash(), text()).prop_map(|(item, note)| ToolsAction::Maintained { item, note }),
    ]
    .prop_map(ActionBody::Tools)
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Local),
        hash().prop_map(Level::Regional),
        Just(Level::Network)
    ]
}

fn kind() -> impl Strategy<Value = ProposalKind> {
    prop::sample::select(ProposalKind::ALL.to_vec())
}

/// Topic names, from one character to the longest allowed.
fn topic() -> impl Strategy<Value = Topic> {
    "[a-z0-9][a-z0-9_-]{0,31}".prop_map(|name| Topic::new(&name).expect("a valid name"))
}

fn scope() -> impl Strategy<Value = Scope> {
    let within = prop_oneof![
        Just(Within::All),
        kind().prop_map(Within::Kind),
        topic().prop_map(Within::Topic),
    ];
    (level(), within).prop_map(|(level, within)| Scope { level, within })
}

fn proposal_ref() -> impl Strategy<Value = ProposalRef> {
    (hash(), level()).prop_map(|(id, level)| ProposalRef { id, level })
}

fn project() -> impl Strategy<Value = Project> {
    (text(), kc()).prop_map(|(name, cost)| Project { name, cost })
}

fn ballot() -> impl Strategy<Value = Ballot> {
    prop_oneof![
        prop_oneof![
            Just(Position::Agree),
            Just(Position::Abstain),
            Just(Position::Disagree),
            text().prop_map(Position::Block)
        ]
        .prop_map(Ballot::Consensus),
        prop_oneof![Just(YesNo::Yes), Just(YesNo::No), Just(YesNo::Abstain)]
            .prop_map(Ballot::YesNo),
        prop::collection::vec(any::<u32>(), 0..5).prop_map(Ballot::Ranked),
        prop::collection::vec(any::<i64>(), 0..5).prop_map(Ballot::Quadratic),
        prop::collection::vec(any::<u32>(), 0..5).prop_map(Ballot::Approval),
    ]
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        Just(Subject::Question),
        (kc(), prop::collection::vec(project(), 0..3))
            .prop_map(|(budget, projects)| Subject::Budget { budget, projects }),
        any::<u32>().prop_map(|seats| Subject::Election { seats }),
        public_key().prop_map(|member| Subject::Membership { member }),
        prop_oneof![
            (public_key(), timestamp())
                .prop_map(|(member, until)| Moderation::Suspend { member, until }),
            public_key().prop_map(|member| Moderation::Reinstate { member }),
            hash().prop_map(|content| Moderation::Hide { content }),
            (public_key(), hash())
                .prop_map(|(member, skill)| Moderation::RevokeSkill { member, skill }),
        ]
        .prop_map(|action| Subject::Moderation { action }),
    ]
}

fn governance_body() -> impl Strategy<Value = ActionBody> {
    prop_oneof![
        (
            kind(),
            level(),
            prop::option::of(topic()),
            text(),
            text(),
            prop::collection::vec(text(), 0..3),
            subject()
        )
            .prop_map(|(kind, level, topic, title, text, options, subject)| {
                ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
                    kind,
                    level,
                    topic,
                    title,
                    text,
                    options,
                    subject,
                })))
            }),
        (proposal_ref(), text()).prop_map(|(proposal, text)| ActionBody::Governance(
            GovernanceAction::Amend { proposal, text }
        )),
        proposal_ref()
            .prop_map(|proposal| ActionBody::Governance(GovernanceAction::Withdraw { proposal })),
        (proposal_ref(), any::<bool>(), text()).prop_map(|(proposal, approve, comment)| {
            ActionBody::Governance(GovernanceAction::Review {
                proposal,
                approve,
                comment,
            })
        }),
        (proposal_ref(), project()).prop_map(|(proposal, project)| ActionBody::Governance(
            GovernanceAction::SubmitProject { proposal, project }
        )),
        (proposal_ref(), public_key()).prop_map(|(proposal, candidate)| ActionBody::Governance(
            GovernanceAction::Nominate {
                proposal,
                candidate
            }
        )),
        (proposal_ref(), ballot()).prop_map(|(proposal, ballot)| ActionBody::Governance(
            GovernanceAction::Vote { proposal, ballot }
        )),
        (scope(), prop::option::of(public_key())).prop_map(|(scope, to)| {
            ActionBody::Governance(GovernanceAction::Delegate { scope, to })
        }),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    (
        public_key(),
        hash(),
        any::<u64>(),
        timestamp(),
        action_body(),
    )
        .prop_map(|(author, community, nonce, created, body)| Action {
            author,
            community,
            nonce,
            created,
            body,
        })
}

pub(super) fn signed_action() -> impl Strategy<Value = SignedAction> {
    (action(), signature()).prop_map(|(action, signature)| SignedAction { action, signature })
}

fn ratio() -> impl Strategy<Value = Ratio> {
    (any::<u32>(), any::<u32>()).prop_map(|(num, den)| Ratio::new(num, den))
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Consensus),
        Just(Method::Majority),
        Just(Method::Quadratic),
        Just(Method::Stv),
        Just(Method::Schulze),
        Just(Method::Budgeting),
        Just(Method::Council),
    ]
}

fn level_rules() -> impl Strategy<Value = LevelRules> {
    (
        method(),
        ratio(),
        ratio(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        pass_when(),
        any::<bool>(),
    )
        .prop_map(
            |(
                method,
                threshold,
                quorum,
                blocks_to_fail,
                voice_credits,
                delegation,
                pass_when,
                lot,
            )| {
                LevelRules {
                    method,
                    threshold,
                    quorum,
                    blocks_to_fail,
                    voice_credits,
                    delegation,
                    pass_when,
                    ties: if lot { Ties::Lot } else { Ties::Fail },
                }
            },
        )
}

fn pass_when() -> impl Strategy<Value = PassWhen> {
    prop_oneof![
        Just(PassWhen::Auto),
        Just(PassWhen::AtLeast),
        Just(PassWhen::MoreThan)
    ]
}

fn aid_guidelines() -> impl Strategy<Value = AidGuidelines> {
    (
        kc(),
        millis(),
        prop_oneof![
            Just(Approval::CommunityVote),
            Just(Approval::Council),
            Just(Approval::Assessors)
        ],
        millis(),
        vec(public_key(), 0..3),
        any::<u32>(),
        millis(),
    )
        .prop_map(
            |(
                max_request,
                cooldown,
                approval,
                vote_duration,
                assessors,
                assessors_needed,
                min_membership,
            )| {
                AidGuidelines {
                    max_request,
                    cooldown,
                    approval,
                    assessors,
                    assessors_needed,
                    min_membership,
                    vote_duration,
                }
            },
        )
}

fn durations() -> impl Strategy<Value = ProposalDurations> {
    (
        (millis(), millis(), millis(), millis(), millis(), millis()),
        (
            any::<u32>(),
            millis(),
            millis(),
            millis(),
            millis(),
            millis(),
        ),
    )
        .prop_map(
            |(
                (
                    policy_discussion,
                    policy_deliberation,
                    policy_voting,
                    policy_implementation,
                    budget,
                    technical,
                ),
                (
                    technical_reviews,
                    emergency,
                    election_nominations,
                    election_campaign,
                    election_voting,
                    membership,
                ),
            )| ProposalDurations {
                policy_discussion,
                policy_deliberation,
                policy_voting,
                policy_implementation,
                budget,
                technical,
                technical_reviews,
                emergency,
                election_nominations,
                election_campaign,
                election_voting,
                membership,
            },
        )
}

fn council_rules() -> impl Strategy<Value = CouncilRules> {
    (any::<u32>(), millis(), ratio(), ratio(), pass_when()).prop_map(
        |(seats, term, quorum, majority, pass_when)| CouncilRules {
            seats,
            term,
            quorum,
            majority,
            pass_when,
        },
    )
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        (
            kc(),
            millis(),
            any::<u32>(),
            kc(),
            millis(),
            aid_guidelines(),
        ),
        (
            learning_rules(),
            proptest::option::of(kc()),
            vec(topic(), 0..3),
        ),
        (kc(), any::<u32>(), millis()),
        (level_rules(), level_rules(), level_rules()),
        durations(),
        council_rules(),
        prop::collection::vec(kind(), 0..3),
        (
            prop_oneof![Just(Admission::Invite), Just(Admission::Vote)],
            vec(public_key(), 0..3),
            vec(public_key(), 0..3),
        ),
        (
            (vec(text(), 0..3), vec(text(), 0..3)),
            (kc(), millis(), vec(public_key(), 0..3)),
        ),
    )
        .prop_map(
            |(
                (
                    credit_limit,
                    invite_max_ttl,
                    max_memo_len,
                    time_bank_kc_per_hour,
                    time_log_expiry,
                    aid,
                ),
                (learning, basic_income, topics),
                (treasury_credit, levy, grace),
                (local, regional, network),
                durations,
                council,
                hidden_tally,
                (admission, technical_reviewers, space_stewards),
                ((time_bank_categories, skill_categories), (loan_fee, pickup_window, stewards)),
            )| Rules {
                credit_limit,
                invite_max_ttl,
                max_memo_len,
                time_bank_kc_per_hour,
                time_log_expiry,
                treasury_credit,
                levy,
                aid,
                insurance: InsuranceRules { grace },
                basic_income,
                local,
                regional,
                network,
                durations,
                council,
                hidden_tally,
                admission,
                technical_reviewers,
                time_bank_categories,
                skills: SkillRules {
                    categories: skill_categories,
                },
                tools: crate::economy::tools::ToolRules {
                    loan_fee,
                    pickup_window,
                    stewards,
                },
                spaces: crate::economy::spaces::SpaceRules {
                    stewards: space_stewards,
                },
                learning,
                topics,
            },
        )
}

fn learning_rules() -> impl Strategy<Value = crate::economy::learning::LearningRules> {
    (
        kc(),
        kc(),
        any::<u32>(),
        millis(),
        vec(public_key(), 0..3),
        proptest::option::of(hash()),
    )
        .prop_map(
            |(
                teacher_reward,
                student_reward,
                skill_endorsements,
                confirmation_window,
                assessors,
                review_skill,
            )| crate::economy::learning::LearningRules {
                teacher_reward,
                student_reward,
                skill_endorsements,
                confirmation_window,
                assessors,
                review_skill,
            },
        )
}

fn genesis() -> impl Strategy<Value = Genesis> {
    (
        text(),
        public_key(),
        vec(public_key(), 0..4),
        vec(public_key(), 0..3),
        rules(),
        proptest::option::of(hash()),
        timestamp(),
    )
        .prop_map(
            |(name, node, founders, founder_invites, rules, region, created)| Genesis {
                name,
                node,
                founders,
                founder_invites,
                rules,
                region,
                created,
            },
        )
}

fn log_id() -> impl Strategy<Value = LogId> {
    (
        hash(),
        prop_oneof![Just(LogKind::Public), Just(LogKind::Local)],
    )
        .prop_map(|(community, kind)| LogId { community, kind })
}

fn entry_body() -> impl Strategy<Value = EntryBody> {
    prop_oneof![
        genesis().prop_map(|g| EntryBody::Genesis(Box::new(g))),
        vec(signed_action(), 0..4).prop_map(EntryBody::Actions),
        vec(
            prop_oneof![
                (hash(), hash())
                    .prop_map(|(proposal, result)| NodeRecord::Close { proposal, result }),
                (public_key(), hash(), timestamp(), hash(), text()).prop_map(
                    |(member, skill, at, proposal, reason)| NodeRecord::Revoked(
                        crate::economy::learning::Revocation {
                            member,
                            skill,
                            at,
                            proposal,
                            reason,
                        }
                    )
                ),
                (any::<u32>(), vec(any::<u64>(), 12)).prop_map(|(month, n)| {
                    NodeRecord::Stats(crate::analytics::Stats {
                        month,
                        counts: crate::analytics::MonthCounts {
                            proposals: n[0],
                            ballots_counted: n[1],
                            eligible_voters: n[2],
                            council_seats: n[3],
                            aid_contributed: Kc(n[4] as i64),
                            aid_response_ms: n[5],
                            verifications: n[6],
                            claims_paid: Kc(n[7] as i64),
                            circulation: Kc(n[8] as i64),
                            positive_balances: Kc(n[9] as i64),
                            members: n[10],
                            retained: n[11],
                            ..Default::default()
                        },
                    })
                }),
            ],
            0..3
        )
        .prop_map(EntryBody::Records),
    ]
}

fn entry() -> impl Strategy<Value = Entry> {
    (log_id(), any::<u64>(), hash(), timestamp(), entry_body()).prop_map(
        |(log, seq, prev, time, body)| Entry {
            log,
            seq,
            prev,
            time,
            body,
        },
    )
}

pub(super) fn signed_entry() -> impl Strategy<Value = SignedEntry> {
    (entry(), signature()).prop_map(|(entry, signature)| SignedEntry { entry, signature })
}

// ---------------------------------------------------------------------------
// The properties, checked for every record type.

/// The decoder `Canonical` uses, without the canonical checks, to tell a
/// property of the format from a property of those checks.
fn raw_decode<T: Decode<()>>(bytes: &[u8]) -> Result<(T, usize), DecodeError> {
    let config = bincode::config::standard()
        .with_fixed_int_encoding()
        .with_limit::<MAX_RECORD_BYTES>();
    bincode::decode_from_slice(bytes, config)
}

/// Whether `bytes` are exactly a `T` in bincode's default, variable-length
/// integer encoding. The codec may name such bytes `NonCanonical` rather
/// than by the first thing wrong with them as fixed-width bytes.
fn is_varint_encoding<T: Decode<()>>(bytes: &[u8]) -> bool {
    let config = bincode::config::standard().with_limit::<MAX_RECORD_BYTES>();
    matches!(bincode::decode_from_slice::<T, _>(bytes, config), Ok((_, used)) if used == bytes.len())
}

fn round_trips<T: Canonical + Clone + PartialEq + Debug>(x: &T) -> Result<(), TestCaseError> {
    let bytes = x.to_bytes();
    prop_assert!(!bytes.is_empty(), "encoding produced no bytes");
    prop_assert_eq!(T::from_bytes(&bytes), Ok(x.clone()));
    Ok(())
}

fn refuses_trailing_bytes<T: Canonical + Debug>(x: &T, extra: &[u8]) -> Result<(), TestCaseError> {
    let mut bytes = x.to_bytes();
    bytes.extend_from_slice(extra);
    match T::from_bytes(&bytes) {
        Err(Error::NonCanonical) => prop_assert!(is_varint_encoding::<T>(&bytes)),
        other => prop_assert_eq!(
            other.err(),
            Some(Error::TrailingBytes { extra: extra.len() })
        ),
    }
    Ok(())
}

fn refuses_every_truncation<T: Canonical + Debug>(x: &T) -> Result<(), TestCaseError> {
    let bytes = x.to_bytes();
    for cut in 0..bytes.len() {
        match T::from_bytes(&bytes[..cut]) {
            Err(Error::Truncated { additional }) => prop_assert!(
                additional >= 1 && additional <= bytes.len() - cut,
                "cut at {} of {}: {} more bytes claimed",
                cut,
                bytes.len(),
                additional
            ),
            // A prefix can happen to be a complete record in varint form.
            Err(Error::NonCanonical) => prop_assert!(
                is_varint_encoding::<T>(&bytes[..cut]),
                "cut at {} of {} called non-canonical",
                cut,
                bytes.len()
            ),
            other => prop_assert!(
                false,
                "cut at {} of {} gave {:?}",
                cut,
                bytes.len(),
                other.map(|_| "a record")
            ),
        }
    }
    Ok(())
}

/// Replaces one byte of a valid encoding. Whatever the result, the decoder
/// must not panic; and whenever the mutated bytes decode in full, they must
/// be the canonical encoding of what they decode to (the format has one
/// encoding per value), and `from_bytes` must accept them. No input of the
/// current record types decodes yet re-encodes differently, so a
/// `NonCanonical` refusal is only justified for a varint encoding.
fn mutation_is_refused_or_canonical<T: Canonical + PartialEq + Debug>(
    x: &T,
    at: Index,
    byte: u8,
) -> Result<(), TestCaseError> {
    let mut bytes = x.to_bytes();
    let at = at.index(bytes.len());
    bytes[at] = byte;
    let checked = T::from_bytes(&bytes);
    match raw_decode::<T>(&bytes) {
        Ok((value, used)) if used == bytes.len() => {
            prop_assert_eq!(codec::encode(&value), bytes.clone());
            prop_assert_eq!(checked, Ok(value));
        }
        _ => {
            prop_assert!(checked.is_err());
            if checked == Err(Error::NonCanonical) {
                prop_assert!(is_varint_encoding::<T>(&bytes));
            }
        }
    }
    Ok(())
}

/// Generates the four codec properties for one record type.
macro_rules! codec_properties {
    ($name:ident, $ty:ty, $strategy:expr, $cases:expr) => {
        mod $name {
            use super::*;

            proptest! {
                #![proptest_config(config($cases))]

                #[test]
                fn round_trips(x in $strategy) {
                    super::round_trips::<$ty>(&x)?;
                }

                #[test]
                fn trailing_bytes_are_refused(x in $strategy, extra in vec(any::<u8>(), 1..16)) {
                    refuses_trailing_bytes::<$ty>(&x, &extra)?;
                }

                #[test]
                fn every_truncation_is_refused(x in $strategy) {
                    refuses_every_truncation::<$ty>(&x)?;
                }

                #[test]
                fn single_byte_mutations_are_refused_or_canonical(
                    x in $strategy,
                    at in any::<Index>(),
                    byte in any::<u8>(),
                ) {
                    mutation_is_refused_or_canonical::<$ty>(&x, at, byte)?;
                }
            }
        }
    };
}

codec_properties!(action, Action, super::action(), 256);
codec_properties!(signed_action, SignedAction, super::signed_action(), 256);
codec_properties!(genesis, Genesis, super::genesis(), 64);
codec_properties!(entry, Entry, super::entry(), 64);
codec_properties!(signed_entry, SignedEntry, super::signed_entry(), 64);
codec_properties!(
    delegation_event,
    crate::state::governance::DelegationEvent,
    super::delegation_event(),
    64
);

fn delegation_event() -> impl Strategy<Value = crate::state::governance::DelegationEvent> {
    (
        public_key(),
        scope(),
        prop::option::of(public_key()),
        timestamp(),
    )
        .prop_map(
            |(from, scope, to, time)| crate::state::governance::DelegationEvent {
                from,
                scope,
                to,
                time,
            },
        )
}

/// A topic is checked when decoded: a delegation or a proposal naming a
/// topic no community could list is malformed, not a record.
#[test]
fn a_topic_that_is_not_a_topic_name_is_malformed() {
    let health = Topic::new("health").expect("a topic");
    let delegate = Action {
        body: ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::topic(Level::Local, health),
            to: None,
        }),
        ..transfer("")
    };
    let bytes = delegate.to_bytes();
    assert_eq!(Action::from_bytes(&bytes), Ok(delegate));
    let at = bytes
        .windows(6)
        .position(|w| w == b"health")
        .expect("the name is in the encoding");
    for (byte, name) in [
        (b'H', "uppercase"),
        (b' ', "a space"),
        (0xff, "invalid UTF-8"),
    ] {
        let mut bad = bytes.clone();
        bad[at] = byte;
        assert!(is_malformed(Action::from_bytes(&bad)), "{name}");
    }
}

// ---------------------------------------------------------------------------
// Length prefixes.

fn transfer(memo: &str) -> Action {
    Action {
        author: PublicKey([1; 32]),
        community: Hash([2; 32]),
        nonce: 7,
        created: Timestamp(1_700_000_000_000),
        body: ActionBody::Ledger(LedgerAction::Transfer {
            to: PublicKey([3; 32]),
            amount: Kc(12_500),
            memo: memo.to_string(),
        }),
    }
}

/// Where the memo's u64 length prefix sits in a transfer's encoding (the
/// memo is the action's last field).
fn memo_prefix_offset(action: &Action) -> usize {
    let ActionBody::Ledger(LedgerAction::Transfer { memo, .. }) = &action.body else {
        panic!("not a transfer");
    };
    let bytes = action.to_bytes();
    let at = bytes.len() - memo.len() - 8;
    assert_eq!(
        bytes[at..at + 8],
        (memo.len() as u64).to_le_bytes(),
        "the memo length prefix is where the layout says"
    );
    at
}

fn with_memo_len(bytes: &[u8], at: usize, claimed: u64) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[at..at + 8].copy_from_slice(&claimed.to_le_bytes());
    bytes
}

#[test]
fn a_memo_length_past_the_end_of_the_input_is_truncated() {
    let action = transfer("for the bread");
    let at = memo_prefix_offset(&action);
    let memo_len = 13u64;

    let bytes = with_memo_len(&action.to_bytes(), at, memo_len + 1000);
    assert_eq!(
        Action::from_bytes(&bytes),
        Err(Error::Truncated { additional: 1000 })
    );

    // Inside a signed action the 64 signature bytes follow the memo.
    let signed = SignedAction {
        action,
        signature: Signature([9; 64]),
    };
    let bytes = with_memo_len(&signed.to_bytes(), at, memo_len + 1000);
    assert_eq!(
        SignedAction::from_bytes(&bytes),
        Err(Error::Truncated {
            additional: 1000 - 64
        })
    );
}

#[test]
fn a_huge_memo_length_is_too_large_without_allocating_it() {
    let action = transfer("for the bread");
    let at = memo_prefix_offset(&action);
    let signed = SignedAction {
        action: action.clone(),
        signature: Signature([9; 64]),
    };
    for claimed in [
        u64::MAX,
        u64::MAX / 2,
        1 << 40,
        2 * MAX_RECORD_BYTES as u64 + 1,
    ] {
        let bytes = with_memo_len(&action.to_bytes(), at, claimed);
        assert_eq!(
            Action::from_bytes(&bytes),
            Err(Error::TooLarge {
                limit: MAX_ACTION_BYTES
            }),
            "claimed {claimed}"
        );
        let bytes = with_memo_len(&signed.to_bytes(), at, claimed);
        assert_eq!(
            SignedAction::from_bytes(&bytes),
            Err(Error::TooLarge {
                limit: MAX_ACTION_BYTES
            }),
            "claimed {claimed}"
        );
    }
}

#[test]
fn a_huge_batch_length_is_too_large() {
    let entry = Entry {
        log: LogId {
            community: Hash([1; 32]),
            kind: LogKind::Local,
        },
        seq: 3,
        prev: Hash([2; 32]),
        time: Timestamp(5),
        body: EntryBody::Actions(Vec::new()),
    };
    let mut bytes = entry.to_bytes();
    let at = bytes.len() - 8;
    assert_eq!(bytes[at..], 0u64.to_le_bytes());
    for claimed in [u64::MAX, u64::MAX / 2, 1 << 32] {
        bytes[at..].copy_from_slice(&claimed.to_le_bytes());
        assert_eq!(
            Entry::from_bytes(&bytes),
            Err(Error::TooLarge {
                limit: MAX_RECORD_BYTES
            }),
            "claimed {claimed}"
        );
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Any claimed memo length longer than the memo is refused, whatever
    /// its size: the input ends first, or the claim exceeds the limit.
    #[test]
    fn an_over_long_memo_length_is_never_accepted(
        memo in text(),
        excess in prop_oneof![1u64..=64, 65u64..=(1 << 24), (1u64 << 24)..=u64::MAX],
    ) {
        let action = transfer(&memo);
        let at = memo_prefix_offset(&action);
        let claimed = (memo.len() as u64).saturating_add(excess);
        let bytes = with_memo_len(&action.to_bytes(), at, claimed);
        let result = Action::from_bytes(&bytes);
        prop_assert!(
            matches!(result, Err(Error::Truncated { .. } | Error::TooLarge { .. })),
            "claimed {} for a {}-byte memo: {:?}", claimed, memo.len(), result
        );
    }
}

// ---------------------------------------------------------------------------
// Integers have one width; tags and variants have a closed set of values.

#[test]
fn bincode_varints_are_not_the_canonical_encoding() {
    // bincode's default (varint) decoder accepts the non-minimal varint
    // [251, 5, 0] for 5: this is what fixed-width encoding rules out.
    let varint = bincode::config::standard();
    assert_eq!(
        bincode::decode_from_slice::<u64, _>(&[251, 5, 0], varint).ok(),
        Some((5, 3))
    );
    for bytes in [&[251, 5, 0][..], &[5], &[251, 44, 1]] {
        assert!(u64::from_bytes(bytes).is_err(), "{bytes:?}");
        assert!(Kc::from_bytes(bytes).is_err(), "{bytes:?}");
    }

    // A whole action in varint form (the nonce 300 takes a 3-byte varint).
    let mut action = transfer("rent");
    action.nonce = 300;
    let bytes = bincode::encode_to_vec(&action, varint).expect("encodes");
    assert_ne!(bytes, action.to_bytes());
    assert!(Action::from_bytes(&bytes).is_err());

    // The nonce field spliced with the non-minimal varint for 5.
    let canonical = action.to_bytes();
    let nonce_at = 32 + 32;
    assert_eq!(canonical[nonce_at..nonce_at + 8], 300u64.to_le_bytes());
    let mut spliced = canonical[..nonce_at].to_vec();
    spliced.extend_from_slice(&[251, 5, 0]);
    spliced.extend_from_slice(&canonical[nonce_at + 8..]);
    assert!(Action::from_bytes(&spliced).is_err());
}

proptest! {
    #![proptest_config(config(256))]

    /// An action encoded with bincode's varint configuration never decodes
    /// as itself.
    #[test]
    fn varint_encodings_never_decode_to_the_same_action(action in action()) {
        let bytes = bincode::encode_to_vec(&action, bincode::config::standard())
            .expect("encodes");
        prop_assert_ne!(&bytes, &action.to_bytes());
        prop_assert_ne!(Action::from_bytes(&bytes), Ok(action));
    }
}

fn is_malformed<T: Debug>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::Malformed { .. }))
}

fn member() -> Member {
    Member {
        key: PublicKey([4; 32]),
        joined: Timestamp(77),
        status: MemberStatus::Active,
        seat: Some(Seat {
            since: Timestamp(77),
            term_ends: Timestamp(99),
        }),
        invited_by: None,
        left: None,
        suspended_until: None,
    }
}

#[test]
fn an_invalid_bool_is_malformed() {
    // Invite: issuer (None: 1), expires (None: 1), founder (1), claimed_by.
    let invite = Invite {
        issuer: None,
        expires: None,
        founder: true,
        claimed_by: None,
    };
    let mut bytes = invite.to_bytes();
    assert_eq!(bytes[2], 1);
    bytes[2] = 2;
    assert!(is_malformed(Invite::from_bytes(&bytes)));

    // A bool deep inside the genesis rules, located by flipping it.
    let mut genesis = test_genesis();
    genesis.rules.network.delegation = true;
    let with = genesis.to_bytes();
    genesis.rules.network.delegation = false;
    let without = genesis.to_bytes();
    let at = single_difference(&with, &without);
    for byte in [2, 255] {
        let mut bytes = with.clone();
        bytes[at] = byte;
        assert!(
            is_malformed(Genesis::from_bytes(&bytes)),
            "bool byte {byte}"
        );
    }
}

#[test]
fn an_invalid_option_tag_is_malformed() {
    // Member: key (32), joined (8), status (4), seat (1 + 16), invited_by.
    let bytes = member().to_bytes();
    assert_eq!(bytes[44], 1, "seat is Some");
    assert_eq!(bytes[61], 0, "invited_by is None");
    for at in [44, 61] {
        let mut bytes = bytes.clone();
        bytes[at] = 2;
        assert!(is_malformed(Member::from_bytes(&bytes)), "tag at {at}");
    }

    // Genesis ends with region (Option<Hash>) and created (u64).
    let genesis = test_genesis();
    let mut bytes = genesis.to_bytes();
    let at = bytes.len() - 8 - 1;
    assert_eq!(bytes[at], 0, "region is None");
    bytes[at] = 2;
    assert!(is_malformed(Genesis::from_bytes(&bytes)));
    // Claiming Some without the hash that must follow is truncation.
    bytes[at] = 1;
    assert!(matches!(
        Genesis::from_bytes(&bytes),
        Err(Error::Truncated { .. })
    ));
}

#[test]
fn unknown_enum_variants_are_malformed() {
    // Action: author (32), community (32), nonce (8), created (8), body tag (u32).
    let mut leave = transfer("");
    leave.body = ActionBody::Membership(MembershipAction::Leave);
    // The body is a domain tag, then the domain's own action tag.
    let bytes = leave.to_bytes();
    assert_eq!(bytes[80..84], 0u32.to_le_bytes(), "membership");
    assert_eq!(bytes[84..88], 2u32.to_le_bytes(), "leave");
    // Ten domains (membership … learning): 10 is the first unknown tag.
    for tag in [10u32, 14, 255, u32::MAX] {
        let mut bytes = bytes.clone();
        bytes[80..84].copy_from_slice(&tag.to_le_bytes());
        assert!(is_malformed(Action::from_bytes(&bytes)), "domain tag {tag}");
    }
    for tag in [5u32, 255, u32::MAX] {
        let mut bytes = bytes.clone();
        bytes[84..88].copy_from_slice(&tag.to_le_bytes());
        assert!(is_malformed(Action::from_bytes(&bytes)), "action tag {tag}");
    }

    // Entry: log.community (32), log.kind (u32), seq, prev, time, body tag (u32).
    let entry = Entry {
        log: LogId {
            community: Hash([1; 32]),
            kind: LogKind::Local,
        },
        seq: 1,
        prev: Hash([2; 32]),
        time: Timestamp(3),
        body: EntryBody::Actions(Vec::new()),
    };
    let bytes = entry.to_bytes();
    assert_eq!(bytes[32..36], 1u32.to_le_bytes());
    let mut bad_kind = bytes.clone();
    bad_kind[32..36].copy_from_slice(&2u32.to_le_bytes());
    assert!(is_malformed(Entry::from_bytes(&bad_kind)));
    let body_at = 32 + 4 + 8 + 32 + 8;
    assert_eq!(bytes[body_at..body_at + 4], 1u32.to_le_bytes());
    let mut bad_body = bytes;
    bad_body[body_at..body_at + 4].copy_from_slice(&3u32.to_le_bytes());
    assert!(is_malformed(Entry::from_bytes(&bad_body)));

    // Member status: Active, Left, Removed and nothing else.
    let mut bytes = member().to_bytes();
    bytes[40..44].copy_from_slice(&3u32.to_le_bytes());
    assert!(is_malformed(Member::from_bytes(&bytes)));
}

#[test]
fn invalid_utf8_text_is_malformed() {
    let action = transfer("ab");
    let mut bytes = action.to_bytes();
    let at = bytes.len() - 2;
    bytes[at] = 0xff;
    assert!(is_malformed(Action::from_bytes(&bytes)));
    // A lone continuation byte and a truncated multi-byte character.
    bytes[at] = 0x80;
    assert!(is_malformed(Action::from_bytes(&bytes)));
    bytes[at] = b'a';
    bytes[at + 1] = 0xc3;
    assert!(is_malformed(Action::from_bytes(&bytes)));
}

/// A record whose hand-written decoder accepts any non-zero byte as `true`
/// but encodes `true` as 1: some bytes decode, yet are not its encoding.
#[derive(Debug, PartialEq)]
struct Loose(bool);

impl Encode for Loose {
    fn encode<E: bincode::enc::Encoder>(
        &self,
        encoder: &mut E,
    ) -> Result<(), bincode::error::EncodeError> {
        u8::from(self.0).encode(encoder)
    }
}

impl<C> Decode<C> for Loose {
    fn decode<D: Decoder<Context = C>>(decoder: &mut D) -> Result<Self, DecodeError> {
        Ok(Loose(u8::decode(decoder)? != 0))
    }
}

impl Canonical for Loose {}

#[test]
fn bytes_that_decode_but_are_not_the_encoding_are_non_canonical() {
    assert_eq!(Loose::from_bytes(&[1]), Ok(Loose(true)));
    assert_eq!(Loose::from_bytes(&[0]), Ok(Loose(false)));
    for byte in [2, 7, 255] {
        let result = Loose::from_bytes(&[byte]);
        assert_eq!(result, Err(Error::NonCanonical), "byte {byte}");
        assert_eq!(Error::NonCanonical.code(), "non_canonical");
    }
}

// ---------------------------------------------------------------------------
// Size limits.

fn signed_transfer_of_len(total: usize) -> SignedAction {
    let empty = SignedAction {
        action: transfer(""),
        signature: Signature([9; 64]),
    };
    let memo = "m".repeat(total - empty.to_bytes().len());
    let signed = SignedAction {
        action: transfer(&memo),
        signature: Signature([9; 64]),
    };
    assert_eq!(signed.to_bytes().len(), total);
    signed
}

#[test]
fn a_signed_action_of_exactly_the_limit_round_trips() {
    let signed = signed_transfer_of_len(MAX_ACTION_BYTES);
    assert_eq!(SignedAction::from_bytes(&signed.to_bytes()), Ok(signed));
}

#[test]
fn a_signed_action_over_the_limit_is_too_large() {
    let signed = signed_transfer_of_len(MAX_ACTION_BYTES + 1);
    let err = SignedAction::from_bytes(&signed.to_bytes()).expect_err("over the limit");
    assert_eq!(
        err,
        Error::TooLarge {
            limit: MAX_ACTION_BYTES
        }
    );
    assert_eq!(err.code(), "too_large");
    // The bare action is bounded by the same limit.
    let action = signed.action;
    assert!(action.to_bytes().len() <= MAX_ACTION_BYTES);
    let bigger = transfer(&"m".repeat(MAX_ACTION_BYTES));
    assert_eq!(
        Action::from_bytes(&bigger.to_bytes()),
        Err(Error::TooLarge {
            limit: MAX_ACTION_BYTES
        })
    );
}

#[test]
fn a_record_over_the_record_limit_is_too_large() {
    let entry = Entry {
        log: LogId {
            community: Hash([1; 32]),
            kind: LogKind::Local,
        },
        seq: 1,
        prev: Hash([2; 32]),
        time: Timestamp(3),
        body: EntryBody::Actions(vec![SignedAction {
            action: transfer(&"m".repeat(MAX_RECORD_BYTES)),
            signature: Signature([9; 64]),
        }]),
    };
    let bytes = entry.to_bytes();
    assert!(bytes.len() > MAX_RECORD_BYTES);
    assert_eq!(
        Entry::from_bytes(&bytes),
        Err(Error::TooLarge {
            limit: MAX_RECORD_BYTES
        })
    );
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(Error::Truncated { additional: 1 }.code(), "truncated");
    assert_eq!(Error::TrailingBytes { extra: 1 }.code(), "trailing_bytes");
    assert_eq!(Error::TooLarge { limit: 1 }.code(), "too_large");
    assert_eq!(
        Error::Malformed {
            reason: String::new()
        }
        .code(),
        "malformed"
    );
}

// ---------------------------------------------------------------------------
// Helpers.

fn test_genesis() -> Genesis {
    Genesis {
        name: "Riverside".into(),
        node: PublicKey([5; 32]),
        founders: vec![PublicKey([6; 32])],
        founder_invites: vec![PublicKey([7; 32])],
        rules: Rules::default(),
        region: None,
        created: Timestamp(1000),
    }
}

/// The one offset where `a` and `b` (of equal length) differ.
fn single_difference(a: &[u8], b: &[u8]) -> usize {
    assert_eq!(a.len(), b.len());
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    assert_eq!(diffs.len(), 1, "expected one differing byte: {diffs:?}");
    diffs[0]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Hashing an encoding as it is written gives the hash of the whole
    /// encoding, for values smaller and much larger than the buffer, made
    /// of many small writes or a few large ones.
    #[test]
    fn an_encoding_hashed_as_written_is_hashed_as_a_whole(
        small in vec(any::<(u8, u64, [u8; 32])>(), 0..6_000),
        large in vec(any::<u8>(), 0..200_000),
    ) {
        let value = (small, large);
        prop_assert_eq!(
            codec::hash_encoding("hearth test", &value),
            Hash::of("hearth test", &codec::encode(&value))
        );
    }
}

// ---------------------------------------------------------------------------
// Limits follow the type.

/// An entry of a public log holding `actions` (signatures are not checked
/// by decoding, so any bytes do).
fn public_entry(seq: u64, actions: Vec<SignedAction>) -> SignedEntry {
    SignedEntry {
        entry: Entry {
            log: LogId {
                community: Hash([1; 32]),
                kind: LogKind::Public,
            },
            seq,
            prev: Hash([seq as u8; 32]),
            time: Timestamp(5 + seq),
            body: EntryBody::Actions(actions),
        },
        signature: Signature([4; 64]),
    }
}

/// A sync response may be twice the largest record: it decodes under its
/// own limit, not a record's (a responder fills responses up to it, so one
/// that could not decode would never let a peer catch up).
#[test]
fn a_ten_mib_sync_response_round_trips() {
    use crate::federation::wire::{MAX_RESPONSE_BYTES, SyncResponse};
    let action = SignedAction {
        action: transfer(&"m".repeat(60_000)),
        signature: Signature([9; 64]),
    };
    let entry = public_entry(3, vec![action; 7]);
    let response = SyncResponse::Entries(vec![entry; 25]);
    let bytes = response.to_bytes();
    assert!(
        bytes.len() > 10_000_000 && bytes.len() > MAX_RECORD_BYTES,
        "{} bytes",
        bytes.len()
    );
    assert!(bytes.len() <= MAX_RESPONSE_BYTES);
    let decoded = SyncResponse::from_bytes(&bytes);
    assert!(decoded == Ok(response), "{:?}", decoded.err());
    // A record of the same size is still refused: its limit is its own.
    let mut oversized = bytes.clone();
    oversized.truncate(MAX_RECORD_BYTES + 1);
    assert_eq!(
        SignedEntry::from_bytes(&oversized),
        Err(Error::TooLarge {
            limit: MAX_RECORD_BYTES
        })
    );
}

/// Stored entry bytes make the same sync response and export records as
/// the decoded entries would: a node serves them without re-encoding.
#[test]
fn stored_entry_bytes_make_the_canonical_response_and_export() {
    use crate::federation::export::{ExportRecord, write_entry_bytes, write_record};
    use crate::federation::wire::SyncResponse;
    let entries: Vec<SignedEntry> = (0..3u64)
        .map(|seq| {
            public_entry(
                seq,
                vec![SignedAction {
                    action: transfer(&format!("memo {seq}")),
                    signature: Signature([9; 64]),
                }],
            )
        })
        .collect();
    let raw: Vec<Vec<u8>> = entries.iter().map(Canonical::to_bytes).collect();
    assert_eq!(
        SyncResponse::entries_bytes(&raw),
        SyncResponse::Entries(entries.clone()).to_bytes()
    );
    assert_eq!(
        SyncResponse::entries_bytes(&[]),
        SyncResponse::Entries(Vec::new()).to_bytes()
    );
    for (entry, bytes) in entries.into_iter().zip(&raw) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_entry_bytes(&mut a, bytes);
        write_record(&mut b, &ExportRecord::Entry(entry));
        assert_eq!(a, b);
    }
}

/// A response filled to its limit with entries of many small actions — as
/// a responder fills one — decodes: bincode counts the memory of the
/// actions still to read, which exceeds their encoding.
#[test]
fn a_full_sync_response_of_small_actions_round_trips() {
    use crate::federation::wire::{MAX_RESPONSE_BYTES, SyncResponse};
    let leave = SignedAction {
        action: Action {
            author: PublicKey([1; 32]),
            community: Hash([2; 32]),
            nonce: 7,
            created: Timestamp(1_700_000_000_000),
            body: ActionBody::Membership(MembershipAction::Leave),
        },
        signature: Signature([9; 64]),
    };
    let entry = public_entry(3, vec![leave; 1024]);
    let size = entry.to_bytes().len();
    let n = (MAX_RESPONSE_BYTES - 12) / size;
    let response = SyncResponse::Entries(vec![entry; n]);
    let bytes = response.to_bytes();
    assert!(
        bytes.len() + size > MAX_RESPONSE_BYTES,
        "{} bytes",
        bytes.len()
    );
    let decoded = SyncResponse::from_bytes(&bytes);
    assert!(decoded == Ok(response), "{:?}", decoded.err());
}
