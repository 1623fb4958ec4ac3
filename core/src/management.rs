//! Management-system standards: cross-industry standards that enterprises
//! certify against (the ISO Survey counts their certificates in every sector).

/// One management-system standard line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagementSystem {
    /// The line (code without year), e.g. `ISO 9001`.
    pub line: &'static str,
    /// A Chinese national standard (offered only to enterprises selling in China).
    pub chinese: bool,
    /// Offered to every enterprise as a retrieval candidate. GB/T 22080 is
    /// counted as a certification but not offered: ISO/IEC 27001 is, and
    /// offering it too would change every domestic answer's ranking.
    pub offered: bool,
}

const fn system(line: &'static str, chinese: bool, offered: bool) -> ManagementSystem {
    ManagementSystem {
        line,
        chinese,
        offered,
    }
}

/// Every management-system standard the project knows, by line.
pub const MANAGEMENT_SYSTEMS: &[ManagementSystem] = &[
    system("ISO 9001", false, true),
    system("ISO 14001", false, true),
    system("ISO 45001", false, true),
    system("ISO/IEC 27001", false, true),
    system("ISO 50001", false, true),
    system("GB/T 19001", true, true),
    system("GB/T 24001", true, true),
    system("GB/T 45001", true, true),
    system("GB/T 23331", true, true),
    system("GB/T 22080", true, false),
];

/// Whether a line (code without year) is a management-system standard.
pub fn is_management_system(line: &str) -> bool {
    MANAGEMENT_SYSTEMS.iter().any(|m| m.line == line)
}

/// The lines offered to every enterprise as candidates: the international
/// ones, and the Chinese ones too for an enterprise selling in China.
pub fn offered(china: bool) -> impl Iterator<Item = &'static str> {
    MANAGEMENT_SYSTEMS
        .iter()
        .filter(move |m| m.offered && (china || !m.chinese))
        .map(|m| m.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offered_in_the_order_retrieval_used() {
        let abroad: Vec<_> = offered(false).collect();
        assert_eq!(
            abroad,
            [
                "ISO 9001",
                "ISO 14001",
                "ISO 45001",
                "ISO/IEC 27001",
                "ISO 50001"
            ]
        );
        let china: Vec<_> = offered(true).collect();
        assert_eq!(china.len(), 9);
        assert!(!china.contains(&"GB/T 22080"));
        assert!(is_management_system("GB/T 22080"));
        assert!(!is_management_system("GB/T 19001-2016"));
    }
}
