//! Conversions between a candidate's raw signals ([`Signals`], core) and
//! `stdnav.scoring.v1.CandidateSignals`: the advisor sends them, the scoring
//! service reads them.

use stdnav_core::signals::{Holding, Signals};

use super::{level_from_pb, level_to_pb, peer_level_from_pb, peer_level_to_pb};
use super::{status_from_pb, status_to_pb};
use crate::scoring::v1 as pb;

pub fn holding_to_pb(h: Holding) -> pb::Holding {
    match h {
        Holding::NotHeld => pb::Holding::NotHeld,
        Holding::HeldCurrent => pb::Holding::HeldCurrent,
        Holding::HeldOldEdition => pb::Holding::HeldOldEdition,
    }
}

/// The wire form of one candidate's signals. The retrieval strengths are
/// `float` on the wire: values that came from retrieval (itself `f32`) pass
/// unchanged.
pub fn signals_to_pb(s: &Signals) -> pb::CandidateSignals {
    pb::CandidateSignals {
        id: s.id.clone(),
        text_score: s.text_score as f32,
        ics_match_depth: s.ics_match_depth,
        mandatory: s.mandatory,
        mandatory_in_market: s.mandatory_in_market,
        level: level_to_pb(s.level) as i32,
        // Not said: 0, which the service reads back as not said.
        status: s.status.map_or(0, |st| status_to_pb(st) as i32),
        published_year: s.published_year,
        in_degree: s.in_degree,
        peer_adoption: s.peer_adoption,
        international_alignment: s.international_alignment,
        holding: holding_to_pb(s.holding) as i32,
        referenced: s.referenced,
        matched_product: s.matched_product.clone(),
        adopted_as: s.adopted_as.clone(),
        peer_count: s.peer_count,
        peer_level: peer_level_to_pb(s.peer_level) as i32,
        peer_code: s.peer_code.clone(),
        match_strength: s.match_strength as f32,
        cocitation: s.cocitation as f32,
        regulation: s.regulation as f32,
        product_kind: s.product_kind as f32,
        series_match: s.series_match as f32,
    }
}

/// Converts candidate `i` of a request, recording a violation for each
/// unknown enum code.
pub fn signals_from_pb(
    c: pb::CandidateSignals,
    i: usize,
    bad: &mut Vec<(String, String)>,
) -> Signals {
    use stdnav_core::standard::Level;
    // Code 0 (unset) is a level unknown and a status not said.
    let level = match c.level {
        0 => Level::Unknown,
        code => level_from_pb(code).unwrap_or_else(|| {
            bad.push((
                format!("candidates[{i}].level"),
                format!("unknown level {code} (0 to 7)"),
            ));
            Level::Unknown
        }),
    };
    let status = match c.status {
        0 => None,
        code => status_from_pb(code).or_else(|| {
            bad.push((
                format!("candidates[{i}].status"),
                format!("unknown status {code} (0 to 5)"),
            ));
            None
        }),
    };
    let holding = match pb::Holding::try_from(c.holding) {
        Ok(pb::Holding::Unspecified | pb::Holding::NotHeld) => Holding::NotHeld,
        Ok(pb::Holding::HeldCurrent) => Holding::HeldCurrent,
        Ok(pb::Holding::HeldOldEdition) => Holding::HeldOldEdition,
        Err(_) => {
            bad.push((
                format!("candidates[{i}].holding"),
                format!("unknown holding {}", c.holding),
            ));
            Holding::NotHeld
        }
    };
    let peer_level = peer_level_from_pb(c.peer_level).unwrap_or_else(|| {
        bad.push((
            format!("candidates[{i}].peer_level"),
            format!("unknown peer level {} (0, 2, 3 or 4)", c.peer_level),
        ));
        None
    });
    Signals {
        id: c.id,
        text_score: f64::from(c.text_score),
        match_strength: f64::from(c.match_strength),
        cocitation: f64::from(c.cocitation),
        regulation: f64::from(c.regulation),
        product_kind: f64::from(c.product_kind),
        series_match: f64::from(c.series_match),
        ics_match_depth: c.ics_match_depth,
        mandatory: c.mandatory,
        mandatory_in_market: c.mandatory_in_market,
        level,
        status,
        published_year: c.published_year,
        in_degree: c.in_degree,
        peer_adoption: c.peer_adoption,
        peer_count: c.peer_count,
        peer_level,
        peer_code: c.peer_code,
        international_alignment: c.international_alignment,
        holding,
        referenced: c.referenced,
        matched_product: c.matched_product,
        adopted_as: c.adopted_as,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_core::industry::IndustryLevel;
    use stdnav_core::standard::{Level, Status};

    #[test]
    fn signals_round_trip() {
        let s = Signals {
            id: "ISO 9001:2015".into(),
            text_score: f64::from(3.25f32),
            match_strength: f64::from(0.8f32),
            cocitation: f64::from(0.4f32),
            regulation: f64::from(0.6f32),
            product_kind: f64::from(0.3f32),
            series_match: f64::from(0.9f32),
            ics_match_depth: 2,
            mandatory: true,
            mandatory_in_market: true,
            level: Level::International,
            status: Some(Status::Replaced),
            published_year: 2015,
            in_degree: 12,
            peer_adoption: 0.5,
            peer_count: 12,
            peer_level: Some(IndustryLevel::Class),
            peer_code: "3851".into(),
            international_alignment: true,
            holding: Holding::HeldOldEdition,
            referenced: true,
            matched_product: "房间空调器".into(),
            adopted_as: "GB/T 19001-2016".into(),
        };
        let mut bad = Vec::new();
        assert_eq!(signals_from_pb(signals_to_pb(&s), 0, &mut bad), s);
        // A status not said and no peers stay so.
        let unsaid = Signals::default();
        assert_eq!(signals_from_pb(signals_to_pb(&unsaid), 0, &mut bad), unsaid);
        assert!(bad.is_empty(), "{bad:?}");
    }
}
