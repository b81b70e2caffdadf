//! The registry of state tables: every key of the materialised state
//! starts with one byte naming its table, and every table is named here,
//! once, so two domains can never share a prefix by accident.

/// The community record.
pub const COMMUNITY: u8 = b'g';
/// Applied heads, per log kind.
pub const APPLIED: u8 = b'h';
/// Members by key.
pub const MEMBER: u8 = b'm';
/// Active members holding a council seat, by key (an index of `member`).
pub const COUNCIL: u8 = b'0';
/// Roster counts.
pub const ROSTER: u8 = b'r';
/// Last nonce per author.
pub const NONCE: u8 = b'n';
/// Invites by invite key.
pub const INVITE: u8 = b'i';
/// Balances by account.
pub const ACCOUNT: u8 = b'a';
/// Proposals by id.
pub const PROPOSAL: u8 = b'p';
/// Latest ballot by (proposal, voter).
pub const BALLOT: u8 = b'b';
/// Current delegation by (member, scope).
pub const DELEGATION: u8 = b'd';
/// Delegation history by (member, nonce).
pub const DELEGATION_HISTORY: u8 = b'e';
/// Decisions on closed proposals, by proposal id.
pub const DECISION: u8 = b'x';
/// Content hidden by moderation, by content id.
pub const HIDDEN: u8 = b'z';
/// The current rules (a versioned record).
pub const RULES: u8 = b'R';
/// What falls due when: (due time, kind, id).
pub const SCHEDULE: u8 = b'S';
/// Payouts waiting for a pool's money, by (pool, place in line).
pub const PAYOUT: u8 = b'W';
/// The next place in line of each pool's payouts.
pub const PAYOUT_SEQ: u8 = b'w';
/// What each pool's line of payouts owes in all, by pool.
pub const PAYOUT_OWED: u8 = b'q';
/// Mutual-aid pools by id.
pub const AID_POOL: u8 = b'P';
/// Aid requests by id.
pub const AID_REQUEST: u8 = b'Q';
/// Each member's standing with an aid pool, by (pool, member).
pub const AID_MEMBER: u8 = b'O';
/// Insurance pools by id.
pub const INSURANCE_POOL: u8 = b'I';
/// Enrolments by (pool, member).
pub const ENROLMENT: u8 = b'E';
/// Insurance claims by id.
pub const CLAIM: u8 = b'C';
/// Basic income and levy per month, by month.
pub const INCOME_MONTH: u8 = b'B';
/// The networks this community belongs to, by network id.
pub const NETWORK: u8 = b'N';
/// Local decisions (membership, skill revocations) already mirrored into
/// the public log, by proposal id.
pub const MIRRORED: u8 = b'M';
/// Local membership decisions that passed and await their mirror in the
/// public log: the admitted member, by proposal id.
pub const TO_MIRROR: u8 = b'T';

/// Time bank records by id.
pub const TIME_RECORD: u8 = b'H';
/// The time bank records each member gave or received in, by (member, record).
pub const TIME_PARTY: u8 = b'J';
/// Each member's confirmed time bank totals, by member.
pub const TIME_MEMBER_TOTALS: u8 = b'K';
/// Each category's confirmed time bank totals, by category name.
pub const TIME_CATEGORY_TOTALS: u8 = b'L';

/// Skill listings by id.
pub const SKILL_LISTING: u8 = b'A';
/// Open skill listings by (kind, category, id), and each author's by
/// (2, author, id).
pub const SKILL_INDEX: u8 = b'f';
/// The time bank records of each listing's exchanges, by (listing, record).
pub const SKILL_EXCHANGE: u8 = b'j';
/// Tool library items by id.
pub const TOOL_ITEM: u8 = b'D';
/// Tool loans by id.
pub const TOOL_LOAN: u8 = b'F';
/// The tool loans of each borrower, by (member, loan).
pub const TOOL_BORROWER: u8 = b'G';
/// The loans of each tool, by (item, loan).
pub const TOOL_ITEM_LOAN: u8 = b'U';
/// Tool loans not yet returned, by loan id.
pub const TOOL_ACTIVE: u8 = b'k';
/// Spaces members book, by id.
pub const SPACE: u8 = b'V';
/// Space bookings, by id.
pub const SPACE_BOOKING: u8 = b'X';
/// The space time index: (space, start, booking) → end and places.
pub const SPACE_SLOT: u8 = b'Y';
/// The bookings each member made, by (member, booking).
pub const SPACE_MEMBER: u8 = b'Z';
/// What each booking action (a series) booked and skipped, by action id.
pub const SPACE_SERIES: u8 = b'o';

/// Learning: skills by id.
pub const LEARN_SKILL: u8 = b'l';
/// Learning: sessions by id.
pub const LEARN_SESSION: u8 = b's';
/// Learning: upcoming sessions of a skill, by (skill, start, session).
pub const LEARN_SKILL_SESSION: u8 = b't';
/// Learning: verifications by (member, skill).
pub const LEARN_VERIFIED: u8 = b'v';
/// Learning: who is verified in a skill, by (skill, member).
pub const LEARN_SKILL_VERIFIED: u8 = b'y';
/// Learning: endorsements not yet counted, by (member, skill, endorser).
pub const LEARN_ENDORSEMENT: u8 = b'1';
/// Learning: session rewards by id.
pub const LEARN_REWARD: u8 = b'2';
/// Learning: counters per month, by month.
pub const LEARN_MONTH: u8 = b'3';
/// Learning: revocations of verifications, by (member, skill, time, proposal).
pub const LEARN_REVOCATION: u8 = b'4';

/// Analytics: counters per month, by month.
pub const ANALYTICS_MONTH: u8 = b'5';
/// Analytics: members who moved money, by (month, member).
pub const ANALYTICS_ACTIVE: u8 = b'6';
/// Analytics: running totals of the state (one record).
pub const ANALYTICS_LIVE: u8 = b'7';
/// Analytics: months whose `Stats` the public log holds, by month.
pub const ANALYTICS_PUBLISHED: u8 = b'8';
/// Analytics: spending capacity at each month's end, by month.
pub const ANALYTICS_DISTRIBUTION: u8 = b'9';

/// Display names members set for themselves, by member key.
pub const NAME: u8 = b'u';
/// Discussion threads: a proposal's comment count (key = proposal id) and
/// its comments (key = proposal id ‖ number, big-endian).
pub const COMMENT: u8 = b'c';

/// Every table, by name.
pub const ALL: &[(&str, u8)] = &[
    ("community", COMMUNITY),
    ("applied", APPLIED),
    ("member", MEMBER),
    ("council", COUNCIL),
    ("roster", ROSTER),
    ("nonce", NONCE),
    ("invite", INVITE),
    ("account", ACCOUNT),
    ("proposal", PROPOSAL),
    ("ballot", BALLOT),
    ("delegation", DELEGATION),
    ("delegation_history", DELEGATION_HISTORY),
    ("decision", DECISION),
    ("hidden", HIDDEN),
    ("rules", RULES),
    ("schedule", SCHEDULE),
    ("payout", PAYOUT),
    ("payout_seq", PAYOUT_SEQ),
    ("payout_owed", PAYOUT_OWED),
    ("aid_pool", AID_POOL),
    ("aid_request", AID_REQUEST),
    ("aid_member", AID_MEMBER),
    ("insurance_pool", INSURANCE_POOL),
    ("enrolment", ENROLMENT),
    ("claim", CLAIM),
    ("income_month", INCOME_MONTH),
    ("network", NETWORK),
    ("mirrored", MIRRORED),
    ("to_mirror", TO_MIRROR),
    ("name", NAME),
    ("comment", COMMENT),
    ("time_record", TIME_RECORD),
    ("time_party", TIME_PARTY),
    ("time_member_totals", TIME_MEMBER_TOTALS),
    ("time_category_totals", TIME_CATEGORY_TOTALS),
    ("skill_listing", SKILL_LISTING),
    ("skill_index", SKILL_INDEX),
    ("skill_exchange", SKILL_EXCHANGE),
    ("tool_item", TOOL_ITEM),
    ("tool_loan", TOOL_LOAN),
    ("tool_borrower", TOOL_BORROWER),
    ("tool_item_loan", TOOL_ITEM_LOAN),
    ("tool_active", TOOL_ACTIVE),
    ("space", SPACE),
    ("space_booking", SPACE_BOOKING),
    ("space_slot", SPACE_SLOT),
    ("space_member", SPACE_MEMBER),
    ("space_series", SPACE_SERIES),
    ("learn_skill", LEARN_SKILL),
    ("learn_session", LEARN_SESSION),
    ("learn_skill_session", LEARN_SKILL_SESSION),
    ("learn_verified", LEARN_VERIFIED),
    ("learn_skill_verified", LEARN_SKILL_VERIFIED),
    ("learn_endorsement", LEARN_ENDORSEMENT),
    ("learn_reward", LEARN_REWARD),
    ("learn_month", LEARN_MONTH),
    ("learn_revocation", LEARN_REVOCATION),
    ("analytics_month", ANALYTICS_MONTH),
    ("analytics_active", ANALYTICS_ACTIVE),
    ("analytics_live", ANALYTICS_LIVE),
    ("analytics_published", ANALYTICS_PUBLISHED),
    ("analytics_distribution", ANALYTICS_DISTRIBUTION),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_prefix_is_distinct() {
        let mut seen = std::collections::BTreeMap::new();
        for (name, prefix) in super::ALL {
            if let Some(other) = seen.insert(prefix, name) {
                panic!("tables {other} and {name} share the prefix {prefix}");
            }
        }
        assert_eq!(seen.len(), super::ALL.len());
    }
}
