//! Whether a title is about the product's own kind: conflicting qualifiers
//! and niches the product does not name count against it.

/// Mutually exclusive qualifiers of a product: when the product has one of
/// a group and a title has another of the same group but not the product's,
/// the title is about another kind of product. Lower-case substrings of
/// Chinese and English wording; a word may imply its group (注塑 → plastics).
const QUALIFIER_GROUPS: &[&[&[&str]]] = &[
    // Energy: gas-fired against electric.
    &[
        &["gas", "燃气"],
        &["electric", "电器", "电热", "电动", "电气"],
    ],
    // Heat source of a water heater or boiler: gas-fired, heat pump or
    // electric resistance (储水式电热水器 is not a heat-pump water heater;
    // an instantaneous one, 快热式, heats by resistance, and so does a
    // storage one, 储水式, unless the title says gas: IEC 60335-2-21).
    &[
        &["gas", "燃气"],
        &["heat pump", "热泵"],
        &[
            "电热",
            "快热式",
            "储水式",
            "electric storage",
            "electric water heater",
            "storage water heater",
            "instantaneous water heater",
        ],
    ],
    // Material worked.
    &[
        &["woodworking", "wood", "木工", "木材", "人造板"],
        &[
            "plastic",
            "rubber",
            "injection mould",
            "injection-mould",
            "注塑",
            "塑料",
            "橡胶",
        ],
        &[
            "metal-working",
            "metalworking",
            "metal cutting",
            "金属切削",
            "金属加工",
        ],
    ],
];

/// Applications that a title names and a product must name too: a cement
/// maker is not an oil-well cement maker.
const NICHE_CONTEXTS: &[&[&str]] = &[
    &[
        "petroleum and natural gas",
        "oil and gas",
        "oil-well",
        "oil well",
        "石油天然气",
        "油井",
    ],
    &["aircraft", "aerospace", "航空", "航天"],
    &["ships and marine", "shipbuilding", "船舶"],
    &["nuclear", "核电", "核设施"],
    &["medical", "医用"],
];

/// Ranking factor for a title against a product's words (both lower case):
/// 0.3 for a conflicting qualifier, 0.6 for a niche the product does not
/// name, 1 otherwise.
pub(super) fn qualifier_factor(product: &str, title: &str) -> f32 {
    if conflicting_qualifier(product, title) {
        0.3
    } else if NICHE_CONTEXTS
        .iter()
        .any(|niche| has_any(title, niche) && !has_any(product, niche))
    {
        0.6
    } else {
        1.0
    }
}

/// Whether `text` (lower case) carries another qualifier of one of the
/// product's groups and not the product's own: about another kind of
/// product. A kind of product is judged by this alone, not by niches: its
/// names may say the niche it is (医用 for a clinical thermometer), which
/// the enterprise need not repeat.
pub(super) fn conflicting_qualifier(product: &str, text: &str) -> bool {
    QUALIFIER_GROUPS.iter().any(|group| {
        let mine: Vec<usize> = (0..group.len())
            .filter(|&i| has_any(product, group[i]))
            .collect();
        !mine.is_empty()
            && !mine.iter().any(|&i| has_any(text, group[i]))
            && (0..group.len()).any(|i| !mine.contains(&i) && has_any(text, group[i]))
    })
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

#[cfg(test)]
mod tests {
    #[test]
    fn conflicting_qualifiers_and_unnamed_niches_count_against_a_title() {
        let q = |p: &str, t: &str| super::qualifier_factor(&p.to_lowercase(), &t.to_lowercase());
        let electric = "Household and similar electrical appliances - Safety - Part 2-21: Particular requirements for storage water heaters";
        let storage_zh = "家用和类似用途电器的安全 储水式热水器的特殊要求";
        let wood =
            "Safety of woodworking machines - Part 6: Single spindle vertical moulding machines";
        let oil = "Petroleum and natural gas industries - Cements and materials for well cementing - Part 1: Specification";
        let cases: &[(&str, &str, f32)] = &[
            ("gas water heater", electric, 0.3),
            ("燃气热水器", storage_zh, 0.3),
            ("electric water heater", electric, 1.0),
            ("热泵热水器", "储水式电热水器能效限定值及能效等级", 0.3),
            ("热泵热水器", "家用和类似用途热泵热水器", 1.0),
            (
                "热泵热水器",
                "家用和类似用途电器的安全 快热式热水器的特殊要求",
                0.3,
            ),
            ("燃气热水器", "燃气快热式热水器", 1.0),
            // A storage water heater heats by resistance unless it says gas.
            ("heat pump water heater", electric, 0.3),
            ("热泵热水器", storage_zh, 0.3),
            ("燃气热水器", "储水式燃气热水器", 1.0),
            ("储水式电热水器", electric, 1.0),
            ("电热水器", "家用和类似用途热泵热水器", 0.3),
            (
                "gas water heater",
                "Gas-fired instantaneous water heaters",
                1.0,
            ),
            ("injection moulding machine", wood, 0.3),
            ("注塑机", "木工机床安全", 0.3),
            (
                "injection moulding machine",
                "Plastics and rubber machines - Injection moulding machines - Safety requirements",
                1.0,
            ),
            ("cement", oil, 0.6),
            ("oil-well cement", "Cements for oil-well cementing", 1.0),
            (
                "cement",
                "Cement - Test methods - Determination of strength",
                1.0,
            ),
            (
                "热泵热水器",
                "家用燃气快速热水器和燃气采暖热水炉能效限定值及能效等级",
                0.3,
            ),
            (
                "热泵热水器",
                "家用和类似用途电器的安全 第1部分：通用要求",
                1.0,
            ),
        ];
        for &(product, title, factor) in cases {
            assert_eq!(q(product, title), factor, "{product} / {title}");
        }
    }

    #[test]
    fn a_niche_counts_against_a_title_and_not_as_a_conflict() {
        let thermometer = "体温计 电子体温计 clinical thermometer medical thermometer";
        assert!(!super::conflicting_qualifier(
            "clinical thermometer",
            thermometer
        ));
        assert_eq!(
            super::qualifier_factor("clinical thermometer", thermometer),
            0.6
        );
        assert!(super::conflicting_qualifier("燃气热水器", "储水式电热水器"));
    }
}
