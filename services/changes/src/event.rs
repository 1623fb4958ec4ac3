//! Change events and change detection: the difference between the
//! catalogue before and after an ingest, as typed events with stable ids.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use stdnav_core::catalogue::{Catalogue, base_of};
use stdnav_core::standard::{Level, Nature, Standard, Status};

/// What happened to a standard (catalogue changes) or what is due
/// (reminders, which are about one enterprise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new edition (or a first edition) was published.
    NewEdition,
    /// Withdrawn, with no replacement.
    Withdrawn,
    /// Replaced by the editions in `replacements`.
    Replaced,
    /// Was upcoming (published, not in force); now in force.
    NowInForce,
    TitleChanged,
    /// ICS or CCS codes changed.
    ClassificationChanged,
    /// Reminder: held more than five years since publication (or its last
    /// amendment) with no review (复审).
    ReviewDue,
    /// Reminder: an upcoming standard comes into force within the horizon.
    ComingIntoForce,
    /// Reminder: the old edition of a mandatory standard stops being valid.
    TransitionDeadline,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::NewEdition => "new_edition",
            ChangeKind::Withdrawn => "withdrawn",
            ChangeKind::Replaced => "replaced",
            ChangeKind::NowInForce => "now_in_force",
            ChangeKind::TitleChanged => "title_changed",
            ChangeKind::ClassificationChanged => "classification_changed",
            ChangeKind::ReviewDue => "review_due",
            ChangeKind::ComingIntoForce => "coming_into_force",
            ChangeKind::TransitionDeadline => "transition_deadline",
        }
    }

    pub fn is_reminder(self) -> bool {
        matches!(
            self,
            ChangeKind::ReviewDue | ChangeKind::ComingIntoForce | ChangeKind::TransitionDeadline
        )
    }
}

/// One change to one edition, or one reminder for one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    /// Stable: [`event_id`] of kind, code and the new state.
    pub id: String,
    pub kind: ChangeKind,
    /// The edition the event is about (canonical code with year).
    pub standard: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_en: String,
    /// Replacing editions (Replaced), or the new edition (TransitionDeadline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<String>,
    /// The edition a new edition supersedes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub previous: String,
    /// The catalogue source, or `reminder`.
    pub source: String,
    /// When it was detected, ms since the Unix epoch.
    pub detected_ms: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub effective: String,
    /// Reminders: the date the reminder is about.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub due: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ics: Vec<String>,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub old_value: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_value: String,
    /// Reminders: the enterprise it is for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uscc: String,
}

impl ChangeEvent {
    /// An event about `s` with its descriptive fields filled; `id` is set
    /// by [`ChangeEvent::seal`].
    pub fn about(kind: ChangeKind, s: &Standard, source: &str, detected_ms: u64) -> Self {
        Self {
            id: String::new(),
            kind,
            standard: s.id.clone(),
            title_zh: s.title_zh.clone(),
            title_en: s.title_en.clone(),
            replacements: Vec::new(),
            previous: String::new(),
            source: source.to_string(),
            detected_ms,
            effective: s.effective.clone().unwrap_or_default(),
            due: String::new(),
            ics: s.ics.clone(),
            mandatory: is_mandatory(s),
            old_value: String::new(),
            new_value: String::new(),
            uscc: String::new(),
        }
    }

    /// Sets the id from the kind, the code and `state` (what the standard
    /// changed to). Source and time are left out, so the same change
    /// detected twice — another ingest of the same file, another process —
    /// has the same id.
    pub fn seal(mut self, state: &[&str]) -> Self {
        let mut parts = vec![
            self.kind.as_str(),
            self.standard.as_str(),
            self.uscc.as_str(),
        ];
        parts.extend_from_slice(state);
        self.id = event_id(&parts);
        self
    }

    /// The line (code without year) of the standard.
    pub fn base(&self) -> String {
        base_of(&self.standard)
    }

    pub fn title(&self, zh: bool) -> &str {
        match (zh, self.title_zh.is_empty(), self.title_en.is_empty()) {
            (true, false, _) | (false, false, true) => &self.title_zh,
            _ => &self.title_en,
        }
    }
}

/// A mandatory standard in the sense the advisor uses: national level and
/// mandatory nature (a `GB` code without `/T` or `/Z`).
pub fn is_mandatory(s: &Standard) -> bool {
    s.nature == Nature::Mandatory && s.level == Level::National
}

/// Hex of the first 16 bytes of SHA-256 over the parts, separated by 0x1f.
pub fn event_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

fn sorted(v: &[String]) -> Vec<String> {
    let set: BTreeSet<&String> = v.iter().collect();
    set.into_iter().cloned().collect()
}

/// The events that take the catalogue from `before` to `after` (both as
/// built, with derived relations and statuses), in catalogue order.
///
/// - a record new in `after`, current or upcoming: [`ChangeKind::NewEdition`]
///   (with the edition it supersedes, if any);
/// - current or upcoming before, withdrawn or replaced after:
///   [`ChangeKind::Replaced`] when a replacement is known, else
///   [`ChangeKind::Withdrawn`]; a replacement added later to a withdrawn
///   edition is a `Replaced` too;
/// - upcoming before, current after: [`ChangeKind::NowInForce`];
/// - a title (Chinese or English) that changed: [`ChangeKind::TitleChanged`];
/// - ICS or CCS codes that changed: [`ChangeKind::ClassificationChanged`].
///
/// Drafts and historical editions added after the fact are not news.
pub fn diff(before: &Catalogue, after: &Catalogue, source: &str, now_ms: u64) -> Vec<ChangeEvent> {
    let mut out = Vec::new();
    for s in after.records() {
        if s.status == Status::Draft {
            continue;
        }
        let Some(b) = before.get(&s.id) else {
            if s.status.is_in_force_or_coming() {
                let mut e = ChangeEvent::about(ChangeKind::NewEdition, s, source, now_ms);
                e.previous = previous_edition(after, s);
                let status = format!("{:?}", s.status);
                let published = s.published.clone().unwrap_or_default();
                out.push(e.seal(&[&status, &published]));
            }
            continue;
        };
        let replacements = sorted(&s.replaced_by);
        let gained_replacement = replacements
            .iter()
            .any(|r| !b.replaced_by.contains(r) && r != &s.id);
        if !s.status.is_in_force_or_coming()
            && (b.status.is_in_force_or_coming() || gained_replacement)
        {
            if replacements.is_empty() {
                let withdrawn = s.withdrawn.clone().unwrap_or_default();
                out.push(
                    ChangeEvent::about(ChangeKind::Withdrawn, s, source, now_ms)
                        .seal(&[&withdrawn]),
                );
            } else {
                let mut e = ChangeEvent::about(ChangeKind::Replaced, s, source, now_ms);
                e.replacements = replacements.clone();
                let state = replacements.join(",");
                out.push(e.seal(&[&state]));
            }
        }
        if b.status == Status::Upcoming && s.status == Status::Current {
            let effective = s.effective.clone().unwrap_or_default();
            out.push(
                ChangeEvent::about(ChangeKind::NowInForce, s, source, now_ms).seal(&[&effective]),
            );
        }
        let zh_changed =
            !b.title_zh.is_empty() && !s.title_zh.is_empty() && b.title_zh != s.title_zh;
        let en_changed =
            !b.title_en.is_empty() && !s.title_en.is_empty() && b.title_en != s.title_en;
        if zh_changed || en_changed {
            let mut e = ChangeEvent::about(ChangeKind::TitleChanged, s, source, now_ms);
            let (old, new) = if zh_changed {
                (&b.title_zh, &s.title_zh)
            } else {
                (&b.title_en, &s.title_en)
            };
            e.old_value = old.clone();
            e.new_value = new.clone();
            out.push(e.seal(&[&s.title_zh, &s.title_en]));
        }
        let (old_ics, new_ics) = (sorted(&b.ics), sorted(&s.ics));
        let (old_ccs, new_ccs) = (sorted(&b.ccs), sorted(&s.ccs));
        if (old_ics != new_ics && !new_ics.is_empty())
            || (old_ccs != new_ccs && !new_ccs.is_empty())
        {
            let mut e = ChangeEvent::about(ChangeKind::ClassificationChanged, s, source, now_ms);
            e.old_value = classification(&old_ics, &old_ccs);
            e.new_value = classification(&new_ics, &new_ccs);
            let state = e.new_value.clone();
            out.push(e.seal(&[&state]));
        }
    }
    out
}

/// The catalogue as it stood at the start of `date_ms`, reconstructed from
/// the records' own dates: editions published later are left out, what
/// they replaced or withdrew is current again, and what came into force
/// later is upcoming. Records without a publication date are kept as they
/// are. For replaying what changed since a date (`stdnav changes replay`).
pub fn as_of(records: &[Standard], date_ms: u64) -> Vec<Standard> {
    let after = |d: &Option<String>| {
        d.as_deref()
            .and_then(crate::remind::date_ms)
            .is_some_and(|d| d >= date_ms)
    };
    let kept: Vec<&Standard> = records.iter().filter(|s| !after(&s.published)).collect();
    let ids: std::collections::HashSet<&str> = kept.iter().map(|s| s.id.as_str()).collect();
    kept.into_iter()
        .map(|s| {
            let mut s = s.clone();
            s.replaced_by.retain(|r| ids.contains(r.as_str()));
            let withdrawn_later = after(&s.withdrawn);
            if withdrawn_later {
                s.withdrawn = None;
            }
            if matches!(s.status, Status::Replaced | Status::Withdrawn)
                && s.replaced_by.is_empty()
                && (withdrawn_later || s.status == Status::Replaced)
            {
                s.status = Status::Current;
            }
            if s.status == Status::Current && after(&s.effective) {
                s.status = Status::Upcoming;
            }
            s
        })
        .collect()
}

fn classification(ics: &[String], ccs: &[String]) -> String {
    let mut parts = Vec::new();
    if !ics.is_empty() {
        parts.push(format!("ICS {}", ics.join(", ")));
    }
    if !ccs.is_empty() {
        parts.push(format!("CCS {}", ccs.join(", ")));
    }
    parts.join("; ")
}

/// The edition `s` supersedes: what it says it replaces, else the latest
/// earlier edition of its line.
fn previous_edition(catalogue: &Catalogue, s: &Standard) -> String {
    if let Some(r) = s.replaces.iter().max() {
        return r.clone();
    }
    let editions = catalogue.editions(&s.id);
    let at = editions.iter().position(|e| e.id == s.id);
    match at {
        Some(i) if i > 0 => editions[i - 1].id.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std(id: &str, status: Status) -> Standard {
        Standard {
            id: id.into(),
            title_en: format!("Title of {id}"),
            status,
            ics: vec!["97.040.30".into()],
            ..Default::default()
        }
    }

    fn cat(records: Vec<Standard>) -> Catalogue {
        Catalogue::build(records)
    }

    fn kinds(events: &[ChangeEvent]) -> Vec<(ChangeKind, &str)> {
        events
            .iter()
            .map(|e| (e.kind, e.standard.as_str()))
            .collect()
    }

    #[test]
    fn no_change_no_event() {
        let a = cat(vec![std("ISO 9001:2015", Status::Current)]);
        let b = cat(vec![std("ISO 9001:2015", Status::Current)]);
        assert!(diff(&a, &b, "x", 1).is_empty());
    }

    #[test]
    fn new_edition_replaces_the_old_one() {
        let before = cat(vec![std("IEC 60335-1:2010", Status::Current)]);
        let mut new = std("IEC 60335-1:2020", Status::Current);
        new.replaces = vec!["IEC 60335-1:2010".into()];
        let after = cat(vec![std("IEC 60335-1:2010", Status::Current), new]);
        let events = diff(&before, &after, "iec.jsonl", 7);
        assert_eq!(
            kinds(&events),
            [
                (ChangeKind::Replaced, "IEC 60335-1:2010"),
                (ChangeKind::NewEdition, "IEC 60335-1:2020"),
            ]
        );
        assert_eq!(events[0].replacements, ["IEC 60335-1:2020"]);
        assert_eq!(events[1].previous, "IEC 60335-1:2010");
        assert_eq!(events[1].source, "iec.jsonl");
    }

    #[test]
    fn withdrawn_now_in_force_title_and_classification() {
        let mut up = std("GB 4706.1-2024", Status::Upcoming);
        up.nature = Nature::Mandatory;
        up.level = Level::National;
        let before = cat(vec![
            std("ISO 1:2002", Status::Current),
            up.clone(),
            std("ISO 3:2010", Status::Current),
        ]);
        let mut now = up.clone();
        now.status = Status::Current;
        let mut renamed = std("ISO 3:2010", Status::Current);
        renamed.title_en = "A better title".into();
        renamed.ics = vec!["01.040".into()];
        let after = cat(vec![std("ISO 1:2002", Status::Withdrawn), now, renamed]);
        let events = diff(&before, &after, "s", 1);
        assert_eq!(
            kinds(&events),
            [
                (ChangeKind::Withdrawn, "ISO 1:2002"),
                (ChangeKind::NowInForce, "GB 4706.1-2024"),
                (ChangeKind::TitleChanged, "ISO 3:2010"),
                (ChangeKind::ClassificationChanged, "ISO 3:2010"),
            ]
        );
        assert!(events[1].mandatory);
        assert_eq!(events[2].new_value, "A better title");
        assert_eq!(events[3].new_value, "ICS 01.040");
    }

    #[test]
    fn as_of_undoes_later_editions() {
        let mut old = std("GB 7718-2011", Status::Replaced);
        old.published = Some("2011-04-20".into());
        old.replaced_by = vec!["GB 7718-2025".into()];
        let mut new = std("GB 7718-2025", Status::Current);
        new.published = Some("2025-03-16".into());
        new.effective = Some("2027-03-16".into());
        new.replaces = vec!["GB 7718-2011".into()];
        let mut later = std("GB 2760-2024", Status::Current);
        later.published = Some("2024-02-08".into());
        later.effective = Some("2025-02-08".into());
        let records = vec![old, new, later];
        let day = crate::remind::date_ms("2024-06-01").unwrap();
        let then = as_of(&records, day);
        let ids: Vec<_> = then.iter().map(|s| (s.id.as_str(), s.status)).collect();
        assert_eq!(
            ids,
            [
                ("GB 7718-2011", Status::Current),
                ("GB 2760-2024", Status::Upcoming)
            ]
        );
        let events = diff(&cat(then), &cat(records), "replay", 1);
        assert_eq!(
            kinds(&events),
            [
                (ChangeKind::Replaced, "GB 7718-2011"),
                (ChangeKind::NewEdition, "GB 7718-2025"),
                (ChangeKind::NowInForce, "GB 2760-2024"),
            ]
        );
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let before = cat(vec![std("ISO 1:2002", Status::Current)]);
        let after = cat(vec![std("ISO 1:2002", Status::Withdrawn)]);
        let a = diff(&before, &after, "one", 1);
        let b = diff(&before, &after, "another", 99);
        assert_eq!(a[0].id, b[0].id, "source and time are not part of the id");
        assert_eq!(a[0].id.len(), 32);
        let mut other = std("ISO 1:2002", Status::Withdrawn);
        other.withdrawn = Some("2024-01".into());
        let c = diff(&before, &cat(vec![other]), "one", 1);
        assert_ne!(a[0].id, c[0].id, "a different new state is another event");
    }
}
