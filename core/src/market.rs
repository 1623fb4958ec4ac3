//! Markets an enterprise sells in, as far as they decide which standards
//! are mandatory for it: China (mandatory national GB standards) and the
//! European Union (harmonised European standards). Other markets are kept
//! in profiles but change no retrieval.

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
}

impl Regimes {
    pub fn of(markets: &[String]) -> Self {
        Self {
            china: markets.iter().any(|m| m == "CN"),
            eu: markets.iter().any(|m| m == "EU" || is_eu_country(m)),
        }
    }

    /// The regimes as market codes (`CN`, `EU`): a list of markets that
    /// any retrieval treats exactly as the one it was made from.
    pub fn markets(self) -> Vec<String> {
        let mut out = Vec::new();
        if self.china {
            out.push("CN".to_string());
        }
        if self.eu {
            out.push("EU".to_string());
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
    fn member_states_count_as_the_eu_and_other_markets_as_nothing() {
        let r = Regimes::of(&markets(&["CN", "DE", "US", "JP"]));
        assert_eq!(
            r,
            Regimes {
                china: true,
                eu: true
            }
        );
        assert_eq!(r.markets(), ["CN", "EU"]);
        assert_eq!(Regimes::of(&markets(&["US", "GB"])), Regimes::default());
        assert!(Regimes::of(&markets(&["US", "GB"])).markets().is_empty());
        assert_eq!(
            Regimes::of(&markets(&["EU"])),
            Regimes::of(&markets(&["FR", "IT"]))
        );
    }
}
