//! Why a standard is recommended or required: a closed vocabulary of reason
//! codes with their arguments, worded in Chinese or English in one place.
//!
//! The advisor and the scoring model build [`Reason`]s; the wire carries
//! them as a code and a map of arguments (`reason_codes`) beside the English
//! sentence (`reasons`, kept for clients that read text); reports and pages
//! word them in the reader's language with [`Reason::render`].
//! docs/API.md lists the codes.

use std::collections::BTreeMap;

/// The language a reason is worded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

/// How deep a candidate's ICS code matches the enterprise's industry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsDepth {
    Field,
    Group,
    SubGroup,
}

impl IcsDepth {
    pub fn name(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Group => "group",
            Self::SubGroup => "sub-group",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "field" => Self::Field,
            "group" => Self::Group,
            "sub-group" => Self::SubGroup,
            _ => return None,
        })
    }
}

/// One reason. Arguments are what the sentence names (a product, a code,
/// a year, counts); the wording is [`Reason::render`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `mandatory-in-market`: mandatory in a market the enterprise sells in.
    MandatoryInMarket,
    /// `mandatory-gb-china`: a mandatory national standard (GB) in China.
    MandatoryGbChina,
    /// `harmonised-eu`: a harmonised European standard (presumption of conformity).
    HarmonisedEu,
    /// `mandatory-standard`: mandatory, though not in the enterprise's markets.
    MandatoryStandard,
    /// `applies-to-product{product}`: its scope is one of the enterprise's products.
    AppliesToProduct {
        product: String,
    },
    /// `matches-product{product}`: it matches one of the enterprise's products.
    MatchesProduct {
        product: String,
    },
    /// `matches-products-or-industry`.
    MatchesProductsOrIndustry,
    /// `ics-match{depth}`: in the industry's ICS field, group or sub-group.
    IcsMatch {
        depth: IcsDepth,
    },
    /// `referenced-by{standard}`: normatively referenced by a standard that applies.
    ReferencedBy {
        standard: String,
    },
    /// `adopts{standard, degree}`: it adopts an international standard
    /// (degree `IDT`, `MOD`, `NEQ` or empty when unknown).
    Adopts {
        standard: String,
        degree: String,
    },
    /// `adopted-as{standard}`: adopted as a national standard.
    AdoptedAs {
        standard: String,
    },
    /// `international-alignment`: aligned with an international standard.
    InternationalAlignment,
    /// `older-edition-held{held}`: the enterprise holds an older edition
    /// (`held` its code, or empty).
    OlderEditionHeld {
        held: String,
    },
    /// `held-current`: the enterprise already holds this edition.
    HeldCurrent,
    /// `declared-held`: the enterprise declares it among its standards.
    DeclaredHeld,
    /// `international-standard`, `regional-standard`, `national-standard`.
    InternationalStandard,
    RegionalStandard,
    NationalStandard,
    /// `withdrawn`, `replaced`, `draft`, `coming-into-force`: its status.
    Withdrawn,
    Replaced,
    Draft,
    ComingIntoForce,
    /// `published-in{year}`: an old edition.
    PublishedIn {
        year: i32,
    },
    /// `recent-edition{year}`.
    RecentEdition {
        year: i32,
    },
    /// `referenced-by-standards{n}`: how many standards reference it.
    ReferencedByStandards {
        n: u32,
    },
    /// `peers-hold{held, of, level, code}`: `held` of the `of` peers hold
    /// it; the peers share the GB/T 4754 `level` (class, group, division;
    /// empty: no basis given) and `code` (empty: unknown).
    PeersHold {
        held: u32,
        of: u32,
        level: String,
        code: String,
    },
    /// `regulation-names`: regulations name it for products like the enterprise's.
    RegulationNames,
    /// `required-for-industry{code}`: a regulation of the market names it
    /// for every product of the enterprise's industry, GB/T 4754 `code`
    /// (a class or group).
    RequiredForIndustry {
        code: String,
    },
    /// `general-part-referenced`: a general part a matched standard references.
    GeneralPartReferenced,
    /// `reference-of-matched`: a normative reference of a matched standard.
    ReferenceOfMatched,
    /// `series-part-matched`: another part of its series matches a product.
    SeriesPartMatched,
    /// `text-relevance-only`: ranked by text relevance (scoring unavailable).
    TextRelevanceOnly,
    /// `text{text}`: a sentence without a code (an older server's, or a
    /// code this version does not know), shown as it is.
    Text {
        text: String,
    },
}

/// Every code, for documentation and tests.
pub const CODES: &[&str] = &[
    "mandatory-in-market",
    "mandatory-gb-china",
    "harmonised-eu",
    "mandatory-standard",
    "applies-to-product",
    "matches-product",
    "matches-products-or-industry",
    "ics-match",
    "referenced-by",
    "adopts",
    "adopted-as",
    "international-alignment",
    "older-edition-held",
    "held-current",
    "declared-held",
    "international-standard",
    "regional-standard",
    "national-standard",
    "withdrawn",
    "replaced",
    "draft",
    "coming-into-force",
    "published-in",
    "recent-edition",
    "referenced-by-standards",
    "peers-hold",
    "regulation-names",
    "required-for-industry",
    "general-part-referenced",
    "reference-of-matched",
    "series-part-matched",
    "text-relevance-only",
    "text",
];

/// GB/T 4754-2017 level names in Chinese: 小类 (class), 中类 (group), 大类 (division).
pub fn level_zh(level: &str) -> Option<&'static str> {
    Some(match level {
        "class" => "小类",
        "group" => "中类",
        "division" => "大类",
        _ => return None,
    })
}

impl Reason {
    /// The reason's code (kebab-case, stable on the wire).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MandatoryInMarket => "mandatory-in-market",
            Self::MandatoryGbChina => "mandatory-gb-china",
            Self::HarmonisedEu => "harmonised-eu",
            Self::MandatoryStandard => "mandatory-standard",
            Self::AppliesToProduct { .. } => "applies-to-product",
            Self::MatchesProduct { .. } => "matches-product",
            Self::MatchesProductsOrIndustry => "matches-products-or-industry",
            Self::IcsMatch { .. } => "ics-match",
            Self::ReferencedBy { .. } => "referenced-by",
            Self::Adopts { .. } => "adopts",
            Self::AdoptedAs { .. } => "adopted-as",
            Self::InternationalAlignment => "international-alignment",
            Self::OlderEditionHeld { .. } => "older-edition-held",
            Self::HeldCurrent => "held-current",
            Self::DeclaredHeld => "declared-held",
            Self::InternationalStandard => "international-standard",
            Self::RegionalStandard => "regional-standard",
            Self::NationalStandard => "national-standard",
            Self::Withdrawn => "withdrawn",
            Self::Replaced => "replaced",
            Self::Draft => "draft",
            Self::ComingIntoForce => "coming-into-force",
            Self::PublishedIn { .. } => "published-in",
            Self::RecentEdition { .. } => "recent-edition",
            Self::ReferencedByStandards { .. } => "referenced-by-standards",
            Self::PeersHold { .. } => "peers-hold",
            Self::RegulationNames => "regulation-names",
            Self::RequiredForIndustry { .. } => "required-for-industry",
            Self::GeneralPartReferenced => "general-part-referenced",
            Self::ReferenceOfMatched => "reference-of-matched",
            Self::SeriesPartMatched => "series-part-matched",
            Self::TextRelevanceOnly => "text-relevance-only",
            Self::Text { .. } => "text",
        }
    }

    /// The arguments, by name (empty for codes without any).
    pub fn args(&self) -> BTreeMap<String, String> {
        let pairs: Vec<(&str, String)> = match self {
            Self::AppliesToProduct { product } | Self::MatchesProduct { product } => {
                vec![("product", product.clone())]
            }
            Self::IcsMatch { depth } => vec![("depth", depth.name().to_string())],
            Self::ReferencedBy { standard } | Self::AdoptedAs { standard } => {
                vec![("standard", standard.clone())]
            }
            Self::Adopts { standard, degree } => {
                vec![("standard", standard.clone()), ("degree", degree.clone())]
            }
            Self::OlderEditionHeld { held } => vec![("held", held.clone())],
            Self::PublishedIn { year } | Self::RecentEdition { year } => {
                vec![("year", year.to_string())]
            }
            Self::ReferencedByStandards { n } => vec![("n", n.to_string())],
            Self::RequiredForIndustry { code } => vec![("code", code.clone())],
            Self::PeersHold {
                held,
                of,
                level,
                code,
            } => vec![
                ("held", held.to_string()),
                ("of", of.to_string()),
                ("level", level.clone()),
                ("code", code.clone()),
            ],
            Self::Text { text } => vec![("text", text.clone())],
            _ => Vec::new(),
        };
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The reason a code and its arguments stand for; `None` for a code
    /// this version does not know or arguments that do not parse (the
    /// caller then shows the English sentence it was sent, see
    /// [`Reason::from_wire`]). Missing string arguments are empty.
    pub fn from_code(code: &str, args: &BTreeMap<String, String>) -> Option<Self> {
        let s = |k: &str| args.get(k).cloned().unwrap_or_default();
        let n = |k: &str| args.get(k).and_then(|v| v.trim().parse::<u32>().ok());
        let year = |k: &str| args.get(k).and_then(|v| v.trim().parse::<i32>().ok());
        Some(match code {
            "mandatory-in-market" => Self::MandatoryInMarket,
            "mandatory-gb-china" => Self::MandatoryGbChina,
            "harmonised-eu" => Self::HarmonisedEu,
            "mandatory-standard" => Self::MandatoryStandard,
            "applies-to-product" => Self::AppliesToProduct {
                product: s("product"),
            },
            "matches-product" => Self::MatchesProduct {
                product: s("product"),
            },
            "matches-products-or-industry" => Self::MatchesProductsOrIndustry,
            "ics-match" => Self::IcsMatch {
                depth: IcsDepth::from_name(&s("depth"))?,
            },
            "referenced-by" => Self::ReferencedBy {
                standard: s("standard"),
            },
            "adopts" => Self::Adopts {
                standard: s("standard"),
                degree: s("degree"),
            },
            "adopted-as" => Self::AdoptedAs {
                standard: s("standard"),
            },
            "international-alignment" => Self::InternationalAlignment,
            "older-edition-held" => Self::OlderEditionHeld { held: s("held") },
            "held-current" => Self::HeldCurrent,
            "declared-held" => Self::DeclaredHeld,
            "international-standard" => Self::InternationalStandard,
            "regional-standard" => Self::RegionalStandard,
            "national-standard" => Self::NationalStandard,
            "withdrawn" => Self::Withdrawn,
            "replaced" => Self::Replaced,
            "draft" => Self::Draft,
            "coming-into-force" => Self::ComingIntoForce,
            "published-in" => Self::PublishedIn {
                year: year("year")?,
            },
            "recent-edition" => Self::RecentEdition {
                year: year("year")?,
            },
            "referenced-by-standards" => Self::ReferencedByStandards { n: n("n")? },
            "peers-hold" => Self::PeersHold {
                held: n("held")?,
                of: n("of")?,
                level: s("level"),
                code: s("code"),
            },
            "regulation-names" => Self::RegulationNames,
            "required-for-industry" => Self::RequiredForIndustry { code: s("code") },
            "general-part-referenced" => Self::GeneralPartReferenced,
            "reference-of-matched" => Self::ReferenceOfMatched,
            "series-part-matched" => Self::SeriesPartMatched,
            "text-relevance-only" => Self::TextRelevanceOnly,
            "text" => Self::Text { text: s("text") },
            _ => return None,
        })
    }

    /// What a peer sent: its code when known, else its English sentence as
    /// text (a reason from an older or newer server is never lost).
    pub fn from_wire(code: &str, args: &BTreeMap<String, String>, english: &str) -> Self {
        Self::from_code(code, args).unwrap_or_else(|| Self::Text {
            text: english.to_string(),
        })
    }

    /// The reasons of a message carrying both forms: one code per sentence
    /// when the sender gave codes, else every sentence as text.
    pub fn list_from_wire<'a>(
        codes: impl IntoIterator<Item = (&'a str, BTreeMap<String, String>)>,
        sentences: &[String],
    ) -> Vec<Self> {
        let codes: Vec<(&str, BTreeMap<String, String>)> = codes.into_iter().collect();
        if codes.is_empty() {
            return sentences
                .iter()
                .map(|t| Self::Text { text: t.clone() })
                .collect();
        }
        codes
            .into_iter()
            .enumerate()
            .map(|(i, (code, args))| {
                Self::from_wire(code, &args, sentences.get(i).map_or("", String::as_str))
            })
            .collect()
    }

    /// The English sentence (what `reasons` carries on the wire).
    pub fn en(&self) -> String {
        self.render(Lang::En)
    }

    /// The reason worded in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.render_en(),
            Lang::Zh => self.render_zh(),
        }
    }

    fn render_en(&self) -> String {
        match self {
            Self::MandatoryInMarket => "mandatory in your market".into(),
            Self::MandatoryGbChina => "mandatory national standard (GB) in China".into(),
            Self::HarmonisedEu => {
                "harmonised European standard: presumption of conformity in the EU".into()
            }
            Self::MandatoryStandard => "a mandatory standard".into(),
            Self::AppliesToProduct { product } => format!("applies to your product {product}"),
            Self::MatchesProduct { product } => format!("matches your product {product}"),
            Self::MatchesProductsOrIndustry => "matches your products or industry".into(),
            Self::IcsMatch { depth } => format!("in your industry's ICS {}", depth.name()),
            Self::ReferencedBy { standard } => format!("normatively referenced by {standard}"),
            Self::Adopts { standard, degree } if degree.is_empty() => format!("adopts {standard}"),
            Self::Adopts { standard, degree } => format!("adopts {standard} ({degree})"),
            Self::AdoptedAs { standard } => format!("adopted as {standard}"),
            Self::InternationalAlignment => "aligned with an international standard".into(),
            Self::OlderEditionHeld { held } if held.is_empty() => {
                "you hold an older edition".into()
            }
            Self::OlderEditionHeld { held } => format!("you hold an older edition ({held})"),
            Self::HeldCurrent => "you already hold this edition".into(),
            Self::DeclaredHeld => "you declare it among your standards".into(),
            Self::InternationalStandard => "an international standard".into(),
            Self::RegionalStandard => "a regional standard".into(),
            Self::NationalStandard => "a national standard".into(),
            Self::Withdrawn => "withdrawn".into(),
            Self::Replaced => "replaced by a newer edition".into(),
            Self::Draft => "still a draft".into(),
            Self::ComingIntoForce => "published, coming into force".into(),
            Self::PublishedIn { year } => format!("published in {year}"),
            Self::RecentEdition { year } => format!("recent edition ({year})"),
            Self::ReferencedByStandards { n } => {
                format!(
                    "referenced by {n} standard{}",
                    if *n == 1 { "" } else { "s" }
                )
            }
            Self::PeersHold {
                held,
                of,
                level,
                code,
            } => {
                let peers = if *of == 1 { "peer" } else { "peers" };
                let basis = match (level.as_str(), code.as_str()) {
                    ("", _) => String::new(),
                    (level, "") => format!(" in your industry {level}"),
                    (level, code) => format!(" in {level} {code}"),
                };
                if *held == 0 {
                    format!("held by none of {of} {peers}{basis}")
                } else {
                    format!("held by {held} of {of} {peers}{basis}")
                }
            }
            Self::RegulationNames => "named in regulations for products like yours".into(),
            Self::RequiredForIndustry { code } => {
                format!(
                    "required by regulation for every product of your industry (GB/T 4754 {code})"
                )
            }
            Self::GeneralPartReferenced => "general part referenced by a matched standard".into(),
            Self::ReferenceOfMatched => "normative reference of a matched standard".into(),
            Self::SeriesPartMatched => "another part of its series matches your product".into(),
            Self::TextRelevanceOnly => "ranked by text relevance only (scoring unavailable)".into(),
            Self::Text { text } => text.clone(),
        }
    }

    fn render_zh(&self) -> String {
        match self {
            Self::MandatoryInMarket => "在贵企业的目标市场强制实施".into(),
            Self::MandatoryGbChina => "我国强制性国家标准（GB）".into(),
            Self::HarmonisedEu => "欧盟协调标准：符合即推定符合欧盟指令要求".into(),
            Self::MandatoryStandard => "强制性标准".into(),
            Self::AppliesToProduct { product } => format!("适用于贵企业产品“{product}”"),
            Self::MatchesProduct { product } => format!("与贵企业产品“{product}”相符"),
            Self::MatchesProductsOrIndustry => "与贵企业的产品或行业相符".into(),
            Self::IcsMatch { depth } => format!(
                "属于贵企业所在行业的 ICS {}",
                match depth {
                    IcsDepth::Field => "大类",
                    IcsDepth::Group => "中类",
                    IcsDepth::SubGroup => "小类",
                }
            ),
            Self::ReferencedBy { standard } => format!("被 {standard} 规范性引用"),
            Self::Adopts { standard, degree } if degree.is_empty() => format!("采用 {standard}"),
            Self::Adopts { standard, degree } => format!("采用 {standard}（{degree}）"),
            Self::AdoptedAs { standard } => format!("已转化为 {standard}"),
            Self::InternationalAlignment => "与国际标准接轨".into(),
            Self::OlderEditionHeld { held } if held.is_empty() => "贵企业持有旧版本".into(),
            Self::OlderEditionHeld { held } => format!("贵企业持有旧版本（{held}）"),
            Self::HeldCurrent => "贵企业已采用此版本".into(),
            Self::DeclaredHeld => "贵企业已声明采用".into(),
            Self::InternationalStandard => "国际标准".into(),
            Self::RegionalStandard => "区域标准".into(),
            Self::NationalStandard => "国家标准".into(),
            Self::Withdrawn => "已废止".into(),
            Self::Replaced => "已被新版本代替".into(),
            Self::Draft => "尚为草案".into(),
            Self::ComingIntoForce => "已发布，即将实施".into(),
            Self::PublishedIn { year } => format!("{year} 年发布"),
            Self::RecentEdition { year } => format!("较新版本（{year} 年）"),
            Self::ReferencedByStandards { n } => format!("被 {n} 项标准引用"),
            Self::PeersHold {
                held,
                of,
                level,
                code,
            } => {
                let basis = match (level_zh(level), code.as_str()) {
                    (None, _) => String::new(),
                    (Some(l), "") => format!("同行业{l}的"),
                    (Some(l), code) => format!("行业{l} {code} 的 "),
                };
                if *held == 0 {
                    format!("{basis}{of} 家同行均未采用")
                } else {
                    format!("{basis}{of} 家同行中 {held} 家采用")
                }
            }
            Self::RegulationNames => "法规对同类产品点名引用".into(),
            Self::RequiredForIndustry { code } => {
                format!("法规要求贵企业所在行业（GB/T 4754 {code}）的全部产品执行")
            }
            Self::GeneralPartReferenced => "所匹配标准引用的通用部分".into(),
            Self::ReferenceOfMatched => "所匹配标准的规范性引用文件".into(),
            Self::SeriesPartMatched => "同系列的其他部分与贵企业产品相符".into(),
            Self::TextRelevanceOnly => "仅按文本相关度排序（评分服务不可用）".into(),
            Self::Text { text } => text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every() -> Vec<Reason> {
        use Reason::*;
        vec![
            MandatoryInMarket,
            MandatoryGbChina,
            HarmonisedEu,
            MandatoryStandard,
            AppliesToProduct {
                product: "房间空调器".into(),
            },
            MatchesProduct {
                product: "房间空调器".into(),
            },
            MatchesProductsOrIndustry,
            IcsMatch {
                depth: IcsDepth::SubGroup,
            },
            ReferencedBy {
                standard: "GB 4706.32-2012".into(),
            },
            Adopts {
                standard: "IEC 60335-1:2010".into(),
                degree: "IDT".into(),
            },
            AdoptedAs {
                standard: "GB 4706.1-2024".into(),
            },
            InternationalAlignment,
            OlderEditionHeld {
                held: "GB 4706.1-2005".into(),
            },
            HeldCurrent,
            DeclaredHeld,
            InternationalStandard,
            RegionalStandard,
            NationalStandard,
            Withdrawn,
            Replaced,
            Draft,
            ComingIntoForce,
            PublishedIn { year: 2005 },
            RecentEdition { year: 2024 },
            ReferencedByStandards { n: 3 },
            PeersHold {
                held: 12,
                of: 20,
                level: "class".into(),
                code: "3852".into(),
            },
            RegulationNames,
            RequiredForIndustry {
                code: "1441".into(),
            },
            GeneralPartReferenced,
            ReferenceOfMatched,
            SeriesPartMatched,
            TextRelevanceOnly,
            Text {
                text: "fits".into(),
            },
        ]
    }

    #[test]
    fn every_code_round_trips_and_reads_in_both_languages() {
        let all = every();
        assert_eq!(all.len(), CODES.len());
        for (r, code) in all.iter().zip(CODES) {
            assert_eq!(r.code(), *code);
            assert_eq!(Reason::from_code(r.code(), &r.args()).as_ref(), Some(r));
            let zh = r.render(Lang::Zh);
            assert!(!zh.is_empty() && !r.en().is_empty(), "{code}");
            if !matches!(r, Reason::Text { .. }) {
                // Chinese wording: no English word is left but codes and products.
                assert!(
                    zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{code}: {zh}"
                );
                assert_ne!(zh, r.en(), "{code}");
            }
        }
    }

    #[test]
    fn english_is_the_sentence_the_wire_always_carried() {
        let peers = |held, of, level: &str, code: &str| Reason::PeersHold {
            held,
            of,
            level: level.into(),
            code: code.into(),
        };
        assert_eq!(
            peers(12, 20, "class", "3852").en(),
            "held by 12 of 20 peers in class 3852"
        );
        assert_eq!(
            peers(0, 7, "division", "35").en(),
            "held by none of 7 peers in division 35"
        );
        assert_eq!(
            peers(1, 1, "group", "").en(),
            "held by 1 of 1 peer in your industry group"
        );
        assert_eq!(peers(3, 9, "", "").en(), "held by 3 of 9 peers");
        assert_eq!(
            peers(12, 20, "class", "3852").render(Lang::Zh),
            "行业小类 3852 的 20 家同行中 12 家采用"
        );
        assert_eq!(
            peers(0, 7, "division", "35").render(Lang::Zh),
            "行业大类 35 的 7 家同行均未采用"
        );
        assert_eq!(peers(3, 9, "", "").render(Lang::Zh), "9 家同行中 3 家采用");
        assert_eq!(
            Reason::IcsMatch {
                depth: IcsDepth::SubGroup
            }
            .en(),
            "in your industry's ICS sub-group"
        );
        assert_eq!(
            Reason::Adopts {
                standard: "IEC 60335-1:2010".into(),
                degree: String::new()
            }
            .en(),
            "adopts IEC 60335-1:2010"
        );
        assert_eq!(
            Reason::ReferencedByStandards { n: 1 }.en(),
            "referenced by 1 standard"
        );
    }

    #[test]
    fn unknown_codes_keep_their_sentence() {
        let none = BTreeMap::new();
        assert_eq!(
            Reason::from_wire("from-the-future", &none, "a new reason"),
            Reason::Text {
                text: "a new reason".into()
            }
        );
        // Bad arguments: the sentence too.
        let bad = BTreeMap::from([("year".to_string(), "soon".to_string())]);
        assert_eq!(
            Reason::from_wire("published-in", &bad, "published in soon").en(),
            "published in soon"
        );
        // An older server sends sentences only.
        let list = Reason::list_from_wire(
            Vec::<(&str, BTreeMap<String, String>)>::new(),
            &["mandatory in your market".to_string()],
        );
        assert_eq!(list[0].en(), "mandatory in your market");
    }
}
