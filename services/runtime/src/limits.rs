//! Documented limits on request fields, enforced from the same table that
//! docs/API.md's "Limits" table is tested against: each service's
//! `grpc::LIMITS` lists (RPC, field, limit), and its handlers check a
//! request through a [`Checker`] that reads the limits from that table, so
//! what is documented is what is enforced. A request over any limit is
//! answered INVALID_ARGUMENT naming every field over it (BadRequest).

use tonic::Status;

use crate::status::{Violation, invalid_argument};

/// What a limit bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Entries of a repeated field.
    Items(usize),
    /// Characters of a string (of each entry, for a repeated one).
    Chars(usize),
    /// A number's value.
    Max(u64),
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Items(n) => write!(f, "{n} entries"),
            Limit::Chars(n) => write!(f, "{n} characters"),
            Limit::Max(n) => write!(f, "{n}"),
        }
    }
}

/// One row of a service's limits table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLimit {
    /// The RPC's name (`Search`), or a message shared by several
    /// (`Enterprise`).
    pub rpc: &'static str,
    /// The field's path in the request (`filters.families`).
    pub field: &'static str,
    pub limit: Limit,
}

pub const fn items(rpc: &'static str, field: &'static str, n: usize) -> FieldLimit {
    FieldLimit {
        rpc,
        field,
        limit: Limit::Items(n),
    }
}

pub const fn chars(rpc: &'static str, field: &'static str, n: usize) -> FieldLimit {
    FieldLimit {
        rpc,
        field,
        limit: Limit::Chars(n),
    }
}

pub const fn max(rpc: &'static str, field: &'static str, n: u64) -> FieldLimit {
    FieldLimit {
        rpc,
        field,
        limit: Limit::Max(n),
    }
}

/// Checks one request against the rows of its RPC in `table`.
pub struct Checker {
    table: &'static [FieldLimit],
    rpc: &'static str,
    violations: Vec<Violation>,
}

impl Checker {
    pub fn new(table: &'static [FieldLimit], rpc: &'static str) -> Self {
        Self {
            table,
            rpc,
            violations: Vec::new(),
        }
    }

    /// The limit of `field`, by kind. A field the table does not list is a
    /// programming error: tests fail on it, a release build lets it pass.
    fn limit(&self, field: &str, kind: fn(Limit) -> Option<u64>) -> Option<u64> {
        let found = self
            .table
            .iter()
            .filter(|row| row.rpc == self.rpc && row.field == field)
            .find_map(|row| kind(row.limit));
        debug_assert!(
            found.is_some(),
            "no limit for {}.{field} in the table",
            self.rpc
        );
        found
    }

    fn check_chars(&mut self, path: String, value: &str, max: usize) {
        // Bytes bound characters from above: most values are not counted.
        if value.len() > max {
            let n = value.chars().count();
            if n > max {
                self.violations.push(Violation::new(
                    path,
                    format!("at most {max} characters, got {n}"),
                ));
            }
        }
    }

    /// A string field: at most its limit of characters.
    pub fn text(&mut self, field: &str, value: &str) -> &mut Self {
        if let Some(max) = self.limit(field, |l| match l {
            Limit::Chars(n) => Some(n as u64),
            _ => None,
        }) {
            self.check_chars(field.to_string(), value, max as usize);
        }
        self
    }

    /// A string inside entry `i` of a repeated message field: `field` is
    /// `list.name` in the table and `list[i].name` in a violation.
    pub fn text_at(&mut self, field: &str, i: usize, value: &str) -> &mut Self {
        if let Some(max) = self.limit(field, |l| match l {
            Limit::Chars(n) => Some(n as u64),
            _ => None,
        }) && value.len() > max as usize
        {
            let path = match field.split_once('.') {
                Some((list, name)) => format!("{list}[{i}].{name}"),
                None => format!("{field}[{i}]"),
            };
            self.check_chars(path, value, max as usize);
        }
        self
    }

    /// A repeated field: at most its limit of entries.
    pub fn count<T>(&mut self, field: &str, values: &[T]) -> &mut Self {
        if let Some(max) = self.limit(field, |l| match l {
            Limit::Items(n) => Some(n as u64),
            _ => None,
        }) && values.len() as u64 > max
        {
            self.violations.push(Violation::new(
                field,
                format!("at most {max} entries, got {}", values.len()),
            ));
        }
        self
    }

    /// A repeated string field: at most its limit of entries, each at most
    /// its limit of characters (checked only when the count is within
    /// bounds, and naming the first few entries over it).
    pub fn strings(&mut self, field: &str, values: &[String]) -> &mut Self {
        let before = self.violations.len();
        self.count(field, values);
        if self.violations.len() > before {
            return self;
        }
        if let Some(max) = self.limit(field, |l| match l {
            Limit::Chars(n) => Some(n as u64),
            _ => None,
        }) {
            for (i, value) in values.iter().enumerate() {
                self.check_chars(format!("{field}[{i}]"), value, max as usize);
            }
        }
        self
    }

    /// A number: at most its limit.
    pub fn number(&mut self, field: &str, value: u64) -> &mut Self {
        if let Some(max) = self.limit(field, |l| match l {
            Limit::Max(n) => Some(n),
            _ => None,
        }) && value > max
        {
            self.violations
                .push(Violation::new(field, format!("at most {max}, got {value}")));
        }
        self
    }

    /// Adds a violation found otherwise (a field that needs more than a limit).
    pub fn violation(&mut self, violation: Violation) -> &mut Self {
        self.violations.push(violation);
        self
    }

    pub fn violations(self) -> Vec<Violation> {
        self.violations
    }

    /// INVALID_ARGUMENT naming every field over its limit, if any.
    pub fn finish(&mut self) -> Result<(), Status> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(invalid_argument(&std::mem::take(&mut self.violations)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[FieldLimit] = &[
        chars("Find", "query", 5),
        items("Find", "codes", 2),
        chars("Find", "codes", 3),
        max("Find", "top", 10),
    ];

    #[test]
    fn every_field_over_its_limit_is_named() {
        let mut c = Checker::new(TABLE, "Find");
        c.text("query", "区区区区区区")
            .strings("codes", &["abcd".into(), "ab".into()])
            .number("top", 11);
        let status = c.finish().unwrap_err();
        let fields: Vec<_> = crate::status::field_violations(&status)
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["query", "codes[0]", "top"]);
        let mut ok = Checker::new(TABLE, "Find");
        ok.text("query", "区区区区区")
            .strings("codes", &["abc".into(), "ab".into()])
            .number("top", 10);
        assert!(ok.finish().is_ok());
        let mut too_many = Checker::new(TABLE, "Find");
        too_many.strings("codes", &["a".into(), "b".into(), "c".into()]);
        let status = too_many.finish().unwrap_err();
        assert!(status.message().contains("codes: at most 2 entries, got 3"));
    }
}
