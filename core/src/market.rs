//! Markets an enterprise sells in, as far as they decide which standards
//! apply to it: China (mandatory national GB standards) and the European
//! Union (harmonised European standards), whose regulations the project's
//! tables hold. For a market beyond the EU an enterprise is offered what the
//! EU's regulations name for its products ([`Regimes::eu_lines_abroad`]),
//! beside China's if it sells there too: the United Kingdom designates the
//! same European standards, and other regulators (the US FDA's recognised
//! consensus standards, Japan's JIS adopting IEC …) recognise the
//! international ones among them.

/// Member states of the European Union (ISO 3166-1 alpha-2).
const EU_MEMBERS: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

pub fn is_eu_country(code: &str) -> bool {
    EU_MEMBERS.contains(&code)
}

/// The regulatory regimes a list of markets falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Regimes {
    /// Sells in China: mandatory national standards (GB) apply.
    pub china: bool,
    /// Sells in the EU (or one of its member states): harmonised standards apply.
    pub eu: bool,
    /// Sells in the United Kingdom (`GB`, or `UK`).
    pub uk: bool,
    /// Sells in another market (the US, Japan, Korea …; `INT` stands for any).
    pub elsewhere: bool,
}

/// Which of the lines the EU's regulations name are offered to an
/// enterprise selling beyond the EU but not in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EuLines {
    /// All of them: the UK's designated standards are the harmonised
    /// European standards (BS EN), ETSI's included.
    All,
    /// The international ones (ISO, IEC, CISPR): other markets recognise
    /// those, not European standards.
    International,
}

/// The market code [`Regimes::markets`] writes for the UK.
const UK: &str = "UK";
/// The market code [`Regimes::markets`] writes for any other market.
const ELSEWHERE: &str = "INT";

impl Regimes {
    pub fn of(markets: &[String]) -> Self {
        let is_eu = |m: &str| m == "EU" || is_eu_country(m);
        let is_uk = |m: &str| m == "GB" || m == UK;
        Self {
            china: markets.iter().any(|m| m == "CN"),
            eu: markets.iter().any(|m| is_eu(m)),
            uk: markets.iter().any(|m| is_uk(m)),
            elsewhere: markets.iter().any(|m| m != "CN" && !is_eu(m) && !is_uk(m)),
        }
    }

    /// What an enterprise selling in the UK or another market beyond the EU
    /// is offered of the lines the EU's regulations name (besides China's,
    /// when it sells there too); `None` for one selling in the EU (its own
    /// lists decide) or only in China, or in no market at all.
    pub fn eu_lines_abroad(self) -> Option<EuLines> {
        if self.eu {
            None
        } else if self.uk {
            Some(EuLines::All)
        } else if self.elsewhere {
            Some(EuLines::International)
        } else {
            None
        }
    }

    /// The regimes whose regulations the project's tables hold, as their
    /// codes (`CN`, `EU`): the tables' rows are keyed by these.
    pub fn regulated(self) -> Vec<String> {
        let mut out = Vec::new();
        if self.china {
            out.push("CN".to_string());
        }
        if self.eu {
            out.push("EU".to_string());
        }
        out
    }

    /// The regimes as market codes (`CN`, `EU`; `UK` or `INT` for a market
    /// beyond the EU when the enterprise does not sell in the EU): a list of
    /// markets that any retrieval treats exactly as the one it was made
    /// from.
    pub fn markets(self) -> Vec<String> {
        let mut out = self.regulated();
        match self.eu_lines_abroad() {
            Some(EuLines::All) => out.push(UK.to_string()),
            Some(EuLines::International) => out.push(ELSEWHERE.to_string()),
            None => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markets(m: &[&str]) -> Vec<String> {
        m.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn member_states_count_as_the_eu() {
        let r = Regimes::of(&markets(&["CN", "DE", "US", "JP"]));
        assert!(r.china && r.eu && r.elsewhere && !r.uk);
        assert_eq!(r.markets(), ["CN", "EU"]);
        assert_eq!(r.eu_lines_abroad(), None);
        assert_eq!(
            Regimes::of(&markets(&["EU"])),
            Regimes::of(&markets(&["FR", "IT"]))
        );
    }

    #[test]
    fn markets_beyond_china_and_the_eu_follow_the_eus_lists() {
        let uk = Regimes::of(&markets(&["US", "GB"]));
        assert_eq!(uk.eu_lines_abroad(), Some(EuLines::All));
        assert_eq!(uk.markets(), ["UK"]);
        let us = Regimes::of(&markets(&["US", "JP"]));
        assert_eq!(us.eu_lines_abroad(), Some(EuLines::International));
        assert_eq!(us.markets(), ["INT"]);
        // The codes written are read back as the same regimes.
        for r in [uk, us] {
            assert_eq!(Regimes::of(&r.markets()).markets(), r.markets());
        }
        // Selling in the EU too, its lists decide; in China too, both.
        assert_eq!(Regimes::of(&markets(&["DE", "US"])).markets(), ["EU"]);
        let china_and_us = Regimes::of(&markets(&["CN", "US"]));
        assert_eq!(china_and_us.markets(), ["CN", "INT"]);
        assert_eq!(china_and_us.eu_lines_abroad(), Some(EuLines::International));
        assert_eq!(Regimes::of(&markets(&["CN"])).eu_lines_abroad(), None);
        assert!(Regimes::of(&[]).markets().is_empty());
    }
}
