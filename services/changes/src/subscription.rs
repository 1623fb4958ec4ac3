//! Subscriptions: what a tenant watches, validated and normalized, and
//! whether an event (with its impacts on the tenant's enterprises) matches.

use serde::{Deserialize, Serialize};

use stdnav_core::catalogue::base_of;
use stdnav_core::enterprise::EnterpriseRecord;
use stdnav_runtime::status::Violation;

use crate::event::{ChangeEvent, event_id};
use crate::impact::Impact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Enterprise,
    Standard,
    IcsGroup,
    Industry,
    Chain,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Enterprise => "enterprise",
            TargetKind::Standard => "standard",
            TargetKind::IcsGroup => "ics_group",
            TargetKind::Industry => "industry",
            TargetKind::Chain => "chain",
        }
    }
}

/// What is watched: the value is normalized by [`Target::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetKind,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Derived from tenant and target: subscribing twice gives the same id.
    pub id: String,
    pub tenant: String,
    pub target: Target,
    #[serde(default)]
    pub note: String,
    pub created_ms: u64,
}

impl Subscription {
    pub fn new(tenant: &str, target: Target, note: &str, created_ms: u64) -> Self {
        let id = event_id(&["subscription", tenant, target.kind.as_str(), &target.value])[..16]
            .to_string();
        Self {
            id,
            tenant: tenant.to_string(),
            target,
            note: note.to_string(),
            created_ms,
        }
    }
}

/// Longest watched value (`target.value`) and note, in characters.
pub const MAX_VALUE: usize = 100;
pub const MAX_NOTE: usize = 200;

impl Target {
    /// Validates and normalizes: a USCC with its check character, a
    /// standard code in any spelling (canonical afterwards; without a year
    /// it watches the whole line), an ICS code (`97`, `97.040`, `97.040.30`),
    /// a GB/T 4754 class or prefix (`C3851`, `385`), a chain id or name.
    /// Violations name the field `target.value`.
    pub fn parse(kind: Option<TargetKind>, value: &str) -> Result<Target, Vec<Violation>> {
        let Some(kind) = kind else {
            return Err(vec![Violation::new(
                "target.kind",
                "choose ENTERPRISE, STANDARD, ICS_GROUP, INDUSTRY or CHAIN",
            )]);
        };
        let value = value.trim();
        let bad = |why: &str| Err(vec![Violation::new("target.value", why)]);
        if value.is_empty() {
            return bad("give the value to watch");
        }
        if value.chars().count() > MAX_VALUE {
            return bad("at most 100 characters");
        }
        let value = match kind {
            TargetKind::Enterprise => match stdnav_core::uscc::validate(value) {
                Ok(v) => v,
                Err(e) => return bad(&format!("not a valid USCC (统一社会信用代码): {e}")),
            },
            TargetKind::Standard => match stdnav_core::code::StdCode::parse(value) {
                Ok(code) if code.year.is_some() => code.canonical(),
                Ok(code) => code.base(),
                Err(e) => return bad(&format!("not a standard code: {e}")),
            },
            TargetKind::IcsGroup => {
                let parts: Vec<&str> = value.split('.').collect();
                let ok = !parts.is_empty()
                    && parts.len() <= 3
                    && parts
                        .iter()
                        .zip([2usize, 3, 2])
                        .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return bad(
                        "an ICS code is 2 digits, then .3 digits, then .2 digits (97.040.30)",
                    );
                }
                value.to_string()
            }
            TargetKind::Industry => match stdnav_core::enterprise::normalize_industry(value) {
                Ok(v) => v,
                Err(_) => {
                    // A division or group prefix (38, 385) is fine too.
                    let digits = value.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                    if (2..=4).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
                    {
                        digits.to_string()
                    } else {
                        return bad("a GB/T 4754-2017 class or prefix, e.g. C3851 or 385");
                    }
                }
            },
            TargetKind::Chain => stdnav_core::chains::chain_by_id_or_name(value)
                .map(|c| c.name_zh.clone())
                .unwrap_or_else(|| value.to_string()),
        };
        Ok(Target { kind, value })
    }

    /// Whether the event, with its impacts on the tenant's `enterprises`,
    /// is one this target watches.
    pub fn matches(
        &self,
        event: &ChangeEvent,
        impacts: &[Impact],
        enterprises: &[EnterpriseRecord],
    ) -> bool {
        let impacted = || {
            impacts
                .iter()
                .filter_map(|i| enterprises.iter().find(|e| e.profile.uscc == i.uscc))
        };
        match self.kind {
            TargetKind::Enterprise => impacts.iter().any(|i| i.uscc == self.value),
            TargetKind::Standard => {
                event.standard == self.value
                    || base_of(&event.standard) == self.value
                    || event.replacements.contains(&self.value)
            }
            TargetKind::IcsGroup => event
                .ics
                .iter()
                .any(|i| *i == self.value || i.starts_with(&format!("{}.", self.value))),
            TargetKind::Industry => {
                impacted().any(|e| {
                    e.enrichment
                        .industries
                        .iter()
                        .any(|i| i.starts_with(&self.value))
                }) || {
                    let groups =
                        stdnav_core::reference::Reference::get().ics_for_industry(&self.value);
                    crate::impact::ics_match(&event.ics, &groups).is_some()
                }
            }
            TargetKind::Chain => {
                impacted().any(|e| e.profile.chains.iter().any(|c| c.chain == self.value))
            }
        }
    }
}

/// Checks a free-text note.
pub fn check_note(note: &str) -> Result<(), Vec<Violation>> {
    if note.chars().count() > MAX_NOTE {
        return Err(vec![Violation::new("note", "at most 200 characters")]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_validated_and_normalized() {
        let std = Target::parse(Some(TargetKind::Standard), "GB/T19001—2016").unwrap();
        assert_eq!(std.value, "GB/T 19001-2016");
        let line = Target::parse(Some(TargetKind::Standard), "iec 60335-1").unwrap();
        assert_eq!(line.value, "IEC 60335-1");
        assert!(Target::parse(Some(TargetKind::IcsGroup), "97.040").is_ok());
        let bad = Target::parse(Some(TargetKind::IcsGroup), "97.4").unwrap_err();
        assert_eq!(bad[0].field, "target.value");
        let bad = Target::parse(Some(TargetKind::Enterprise), "91440400MA4UXXXXXX").unwrap_err();
        assert!(bad[0].description.contains("USCC"), "{bad:?}");
        assert_eq!(
            Target::parse(None, "x").unwrap_err()[0].field,
            "target.kind"
        );
        assert_eq!(
            Target::parse(Some(TargetKind::Industry), "C3851")
                .unwrap()
                .value,
            "3851"
        );
        assert_eq!(
            Target::parse(Some(TargetKind::Industry), "385")
                .unwrap()
                .value,
            "385"
        );
        assert_eq!(
            Target::parse(Some(TargetKind::Chain), "appliances")
                .unwrap()
                .value,
            "家电产业链"
        );
    }

    #[test]
    fn ids_depend_on_tenant_and_target() {
        let t = Target::parse(Some(TargetKind::IcsGroup), "97.040").unwrap();
        let a = Subscription::new("a", t.clone(), "", 1);
        let a2 = Subscription::new("a", t.clone(), "other note", 2);
        let b = Subscription::new("b", t, "", 1);
        assert_eq!(a.id, a2.id);
        assert_ne!(a.id, b.id);
    }
}
