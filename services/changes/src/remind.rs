//! Reminders: events about one enterprise that come from the calendar
//! rather than from an ingest.
//!
//! - **review due** (复审): a held edition, still the current one, first
//!   published (or last amended) more than [`REVIEW_YEARS`] years ago —
//!   Chinese standards are reviewed at most every five years, and a
//!   standard that has not been is due a check of whether it is still valid;
//! - **coming into force**: a standard published but not yet in force
//!   (status upcoming, or an effective date after today) whose effective
//!   date falls within the horizon, and which affects the enterprise by the
//!   impact rules;
//! - **transition deadline**: the enterprise holds a mandatory edition
//!   whose newer edition comes into force after today: the old edition is
//!   valid until then (reported whatever the horizon).

use stdnav_core::catalogue::Catalogue;
use stdnav_core::enterprise::EnterpriseRecord;
use stdnav_core::standard::{Standard, Status};

use crate::event::{ChangeEvent, ChangeKind, is_mandatory};
use crate::impact::{Exposure, Impact, Reason, held_codes};
use crate::log::FeedItem;

pub const REVIEW_YEARS: i32 = 5;

/// A horizon such as `90d`, `6months` or `1y`.
pub fn parse_horizon(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (e.g. 90d, 6months)"))
}

/// ms since the Unix epoch of a date `YYYY`, `YYYY-MM` or `YYYY-MM-DD`
/// (a partial date is its first day).
pub fn date_ms(date: &str) -> Option<u64> {
    let date = date.trim();
    let full = match date.len() {
        4 => format!("{date}-01-01"),
        7 => format!("{date}-01"),
        10 => date.to_string(),
        _ => return None,
    };
    humantime::parse_rfc3339(&format!("{full}T00:00:00Z"))
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_millis() as u64)
}

/// The date (`YYYY-MM-DD`, UTC) of a time in ms since the epoch.
pub fn ms_date(ms: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms);
    humantime::format_rfc3339_seconds(t).to_string()[..10].to_string()
}

/// `date` plus `years` (29 February becomes 28 February), as `YYYY-MM-DD`.
fn add_years(date: &str, years: i32) -> Option<String> {
    let day = ms_date(date_ms(date)?);
    let y: i32 = day[..4].parse().ok()?;
    let rest = &day[4..];
    let rest = if rest == "-02-29" { "-02-28" } else { rest };
    Some(format!("{:04}{rest}", y + years))
}

/// The latest year named in a code or date (`…/AMD1:2013` → 2013).
fn last_year(text: &str) -> Option<i32> {
    let digits: Vec<char> = text.chars().collect();
    (0..digits.len().saturating_sub(3))
        .rev()
        .find_map(|i| {
            let run: String = digits[i..i + 4].iter().collect();
            let bounded = (i == 0 || !digits[i - 1].is_ascii_digit())
                && digits.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
            (bounded && run.chars().all(|c| c.is_ascii_digit()))
                .then(|| run.parse().ok())
                .flatten()
        })
        .filter(|y| (1900..=2200).contains(y))
}

/// When the edition was last published or amended (a date).
fn last_activity(s: &Standard) -> Option<String> {
    let mut best = s.published.clone();
    for a in &s.amendments {
        if let Some(y) = last_year(a) {
            let d = format!("{y:04}");
            if best
                .as_deref()
                .and_then(|b| b.get(..4))
                .and_then(|b| b.parse::<i32>().ok())
                .is_none_or(|b| y > b)
            {
                best = Some(d);
            }
        }
    }
    best
}

fn reminder(kind: ChangeKind, s: &Standard, uscc: &str, due: &str, now_ms: u64) -> ChangeEvent {
    let mut e = ChangeEvent::about(kind, s, "reminder", now_ms);
    e.uscc = uscc.to_string();
    e.due = due.to_string();
    e
}

fn item(event: ChangeEvent, e: &EnterpriseRecord, reasons: Vec<Reason>) -> FeedItem {
    FeedItem::new(
        event,
        vec![Impact {
            uscc: e.profile.uscc.clone(),
            name: e.profile.name.clone(),
            reasons,
        }],
        Vec::new(),
    )
}

/// Standards not in force today whose effective date is after today.
pub fn upcoming(catalogue: &Catalogue, today_ms: u64) -> Vec<&Standard> {
    catalogue
        .records()
        .iter()
        .filter(|s| matches!(s.status, Status::Upcoming | Status::Current))
        .filter(|s| {
            let future = s
                .effective
                .as_deref()
                .and_then(date_ms)
                .is_some_and(|d| d > today_ms);
            s.status == Status::Upcoming || future
        })
        .collect()
}

/// The reminders for one enterprise on `today_ms`, with upcoming
/// standards counted when they come into force within `horizon_ms`.
pub fn reminders(
    catalogue: &Catalogue,
    upcoming: &[&Standard],
    e: &EnterpriseRecord,
    today_ms: u64,
    horizon_ms: u64,
) -> Vec<FeedItem> {
    let uscc = e.profile.uscc.as_str();
    let today = ms_date(today_ms);
    let mut out = Vec::new();
    for h in held_codes(e) {
        let Some(s) = catalogue.get(&h).or_else(|| catalogue.resolve(&h)) else {
            continue;
        };
        let holds = vec![Reason::Holds { held: h.clone() }];
        // Review due: still the current edition, and five years without activity.
        let newest = catalogue.editions(&s.id).last().map(|l| l.id.as_str());
        if s.status == Status::Current
            && newest == Some(s.id.as_str())
            && let Some(due) = last_activity(s).and_then(|d| add_years(&d, REVIEW_YEARS))
            && due <= today
        {
            let ev = reminder(ChangeKind::ReviewDue, s, uscc, &due, today_ms).seal(&[&due]);
            out.push(item(ev, e, holds.clone()));
        }
        // Transition deadline: a newer edition of a mandatory standard not yet in force.
        if is_mandatory(s) {
            for newer in catalogue.editions(&s.id) {
                if newer.id == s.id || newer.status == Status::Draft {
                    continue;
                }
                let later = stdnav_core::code::StdCode::parse(&newer.id)
                    .ok()
                    .and_then(|c| c.year)
                    > stdnav_core::code::StdCode::parse(&s.id)
                        .ok()
                        .and_then(|c| c.year);
                let Some(effective) = newer.effective.as_deref() else {
                    continue;
                };
                if later && date_ms(effective).is_some_and(|d| d > today_ms) {
                    let mut ev =
                        reminder(ChangeKind::TransitionDeadline, s, uscc, effective, today_ms);
                    ev.replacements = vec![newer.id.clone()];
                    let ev = ev.seal(&[effective, &newer.id]);
                    out.push(item(ev, e, holds.clone()));
                }
            }
        }
    }
    // Coming into force within the horizon, when it concerns the enterprise.
    let exposure = Exposure::new(e, catalogue);
    for s in upcoming {
        let Some(effective) = s.effective.as_deref() else {
            continue;
        };
        let Some(d) = date_ms(effective) else {
            continue;
        };
        if d < today_ms || d > today_ms.saturating_add(horizon_ms) {
            continue;
        }
        let ev =
            reminder(ChangeKind::ComingIntoForce, s, uscc, effective, today_ms).seal(&[effective]);
        if let Some(found) = exposure.impact(&ev, &ev.base()) {
            out.push(FeedItem::new(ev, vec![found], Vec::new()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_core::standard::{Level, Nature};

    const DAY: u64 = 86_400_000;

    fn ent(held: &[&str]) -> EnterpriseRecord {
        crate::impact::tests::ent("U", held, &["97.040"])
    }

    #[test]
    fn dates() {
        assert_eq!(ms_date(date_ms("2016-12").unwrap()), "2016-12-01");
        assert_eq!(add_years("2020-02-29", 5).unwrap(), "2025-02-28");
        assert_eq!(last_year("IEC 60335-1:2010/AMD1:2013"), Some(2013));
        assert_eq!(last_year("GB 4706.1"), None);
    }

    #[test]
    fn review_transition_and_coming_into_force() {
        let gb = |id: &str, status: Status, published: &str, effective: &str| Standard {
            id: id.into(),
            nature: Nature::Mandatory,
            level: Level::National,
            status,
            published: Some(published.into()),
            effective: Some(effective.into()),
            ics: vec!["97.040.30".into()],
            ..Default::default()
        };
        let cat = Catalogue::build(vec![
            gb(
                "GB 4706.1-2005",
                Status::Current,
                "2005-08-26",
                "2006-08-01",
            ),
            gb(
                "GB 4706.1-2024",
                Status::Upcoming,
                "2024-03-15",
                "2026-06-01",
            ),
            Standard {
                id: "GB/T 19001-2016".into(),
                status: Status::Current,
                published: Some("2016-12-30".into()),
                ..Default::default()
            },
            gb(
                "GB 21455-2026",
                Status::Upcoming,
                "2026-01-01",
                "2026-03-01",
            ),
        ]);
        let today = date_ms("2026-01-15").unwrap();
        let up = upcoming(&cat, today);
        let e = ent(&["GB 4706.1-2005", "GB/T 19001-2016"]);
        let got = reminders(&cat, &up, &e, today, 90 * DAY);
        let kinds: Vec<_> = got
            .iter()
            .map(|i| {
                (
                    i.event.kind,
                    i.event.standard.as_str(),
                    i.event.due.as_str(),
                )
            })
            .collect();
        assert!(
            kinds.contains(&(ChangeKind::ReviewDue, "GB/T 19001-2016", "2021-12-30")),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(
                ChangeKind::TransitionDeadline,
                "GB 4706.1-2005",
                "2026-06-01"
            )),
            "{kinds:?}"
        );
        // GB 21455-2026 comes into force within 90 days and is mandatory in the ICS group.
        assert!(
            kinds.contains(&(ChangeKind::ComingIntoForce, "GB 21455-2026", "2026-03-01")),
            "{kinds:?}"
        );
        // GB 4706.1-2024 comes into force after the horizon: no coming-into-force reminder.
        assert!(!kinds.contains(&(ChangeKind::ComingIntoForce, "GB 4706.1-2024", "2026-06-01")));
        // GB 4706.1-2005 has a newer edition: not due a review.
        assert!(
            !kinds
                .iter()
                .any(|k| k.0 == ChangeKind::ReviewDue && k.1 == "GB 4706.1-2005")
        );
        // Ids are per enterprise and stable.
        let again = reminders(&cat, &up, &e, today + DAY, 90 * DAY);
        assert_eq!(got[0].event.id, again[0].event.id);
    }
}
