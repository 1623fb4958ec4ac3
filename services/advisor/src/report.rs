//! A solution as a readable report, in Chinese or English, that an agency
//! can hand to its client.

use std::fmt::Write;

use stdnav_core::reason::{Lang as ReasonLang, Reason, level_zh};
use stdnav_core::standard::AdoptionDegree;

use crate::solution::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zh" | "zh-CN" | "cn" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (zh or en)")),
        }
    }
}

struct Words {
    title: &'static str,
    maturity: &'static str,
    percentile: &'static str,
    must: &'static str,
    should: &'static str,
    upgrades: &'static str,
    gaps: &'static str,
    roadmap: &'static str,
    held: &'static str,
    not_held: &'static str,
    old: &'static str,
    none: &'static str,
    unmatched: &'static str,
    partial: &'static str,
    edition_gap: &'static str,
    alignment_gap: &'static str,
    indicator_gap: &'static str,
    portfolio_gap: &'static str,
    portfolio_gap_no_peers: &'static str,
    meets: &'static str,
    fails: &'static str,
    illustrative: &'static str,
    peers: &'static str,
}

const ZH: Words = Words {
    title: "标准化解决方案",
    maturity: "标准化成熟度",
    percentile: "同行百分位",
    must: "一、必须执行的强制性标准",
    should: "二、推荐采用的标准",
    upgrades: "三、需要更新的标准版本",
    gaps: "四、对标达标差距",
    roadmap: "五、实施路线图",
    held: "已执行",
    not_held: "未执行",
    old: "执行旧版",
    none: "（无）",
    unmatched: "未找到适用标准的产品（建议制定企业标准或团体标准）",
    partial: "注意：部分服务不可用，本方案不完整，缺少",
    edition_gap: "版本差距",
    alignment_gap: "国际对标差距",
    indicator_gap: "指标差距",
    portfolio_gap: "标准覆盖差距（同行采用率）",
    portfolio_gap_no_peers: "标准覆盖差距",
    meets: "达标",
    fails: "未达标",
    illustrative: "（示例数据）",
    peers: "同行企业数",
};

const EN: Words = Words {
    title: "Standardization solution",
    maturity: "Standardization maturity",
    percentile: "percentile among peers",
    must: "1. Mandatory standards that apply",
    should: "2. Recommended standards",
    upgrades: "3. Held standards to upgrade",
    gaps: "4. Benchmarking gaps",
    roadmap: "5. Roadmap",
    held: "held",
    not_held: "not held",
    old: "old edition held",
    none: "(none)",
    unmatched: "Products with no standard found (consider an enterprise or group standard)",
    partial: "Note: some services were unavailable; this solution is partial, missing",
    edition_gap: "Edition gaps",
    alignment_gap: "International alignment gaps",
    indicator_gap: "Indicator gaps",
    portfolio_gap: "Portfolio gaps (peer adoption)",
    portfolio_gap_no_peers: "Portfolio gaps",
    meets: "meets",
    fails: "does not meet",
    illustrative: " (illustrative data)",
    peers: "peers",
};

fn phase(p: Phase, lang: Lang) -> &'static str {
    match (p, lang) {
        (Phase::Now, Lang::Zh) => "立即",
        (Phase::Within6Months, Lang::Zh) => "6个月内",
        (Phase::Within12Months, Lang::Zh) => "12个月内",
        (Phase::Now, Lang::En) => "now",
        (Phase::Within6Months, Lang::En) => "within 6 months",
        (Phase::Within12Months, Lang::En) => "within 12 months",
    }
}

fn action(a: Action, lang: Lang) -> &'static str {
    match (a, lang) {
        (Action::Adopt, Lang::Zh) => "采用",
        (Action::Upgrade, Lang::Zh) => "更新版本",
        (Action::Certify, Lang::Zh) => "认证",
        (Action::DraftEnterpriseStandard, Lang::Zh) => "制定企业标准",
        (Action::Adopt, Lang::En) => "adopt",
        (Action::Upgrade, Lang::En) => "upgrade",
        (Action::Certify, Lang::En) => "certify",
        (Action::DraftEnterpriseStandard, Lang::En) => "draft an enterprise standard",
    }
}

/// A reason in the report's language (`stdnav_core::reason`).
fn reason(r: &Reason, lang: Lang) -> String {
    r.render(lang.into())
}

impl From<Lang> for ReasonLang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Zh => ReasonLang::Zh,
            Lang::En => ReasonLang::En,
        }
    }
}

/// ` (IDT)` in a note written by compose → `（IDT）`; empty when absent.
fn degree_zh(note: &str) -> String {
    AdoptionDegree::ALL
        .iter()
        .map(|d| d.code())
        .find(|d| note.contains(&format!("({d})")))
        .map(|d| format!("（{d}）"))
        .unwrap_or_default()
}

/// An upgrade's note (`GB 4706.1-2024 adopts IEC 60335-1:2020 (IDT)`) in
/// the report's language.
fn upgrade_note(note: &str, lang: Lang) -> String {
    match lang {
        Lang::En => note.to_string(),
        Lang::Zh => match note.split_once(" adopts ") {
            Some((national, rest)) => {
                let intl = rest.split(" (").next().unwrap_or(rest);
                format!("{national} 采用 {intl}{}", degree_zh(rest))
            }
            None => note.to_string(),
        },
    }
}

/// Why a roadmap step, in the report's language: the advisor writes it in
/// English; in Chinese it is said again from the solution's own items (the
/// must or should item's first reason, the upgrade's editions).
fn roadmap_why(r: &RoadmapStep, s: &Solution, lang: Lang) -> String {
    if lang == Lang::En {
        return r.why.clone();
    }
    let id = r.standard_id.as_str();
    if r.action == Action::DraftEnterpriseStandard {
        return format!(
            "未找到适用于“{id}”的标准：将其要求制定为企业标准（Q/…），并考虑制定团体标准"
        );
    }
    if let Some(m) = s.must.iter().find(|m| m.id == id) {
        return match m.holding {
            Holding::HeldOldEdition => format!(
                "强制性标准，贵企业持有旧版本 {}",
                m.held_as.clone().unwrap_or_default()
            ),
            _ => match m.reasons.first() {
                Some(first) => format!("强制性标准：{}", reason(first, lang)),
                None => "强制性标准".into(),
            },
        };
    }
    if let Some(u) = s.upgrades.iter().find(|u| u.current == id) {
        let note = if u.note.is_empty() {
            String::new()
        } else {
            format!("（{}）", upgrade_note(&u.note, lang))
        };
        return format!(
            "{} {}，现行版本为 {}{note}",
            u.held,
            u.held_status.name_zh(),
            u.current
        );
    }
    if let Some(x) = s.should.iter().find(|x| x.id == id) {
        return x
            .reasons
            .first()
            .map_or_else(|| "推荐采用".into(), |first| reason(first, lang));
    }
    r.why.clone()
}

/// Whether the enterprise has peers to compare with (the basis is empty
/// when it has none).
fn has_peers(g: &Gaps) -> bool {
    !g.peer_basis.is_empty()
}

/// What the peers share, for the gaps section: `class 3852` →
/// "（行业小类 3852）" / " (class 3852)"; no peers is said so.
fn peer_basis(g: &Gaps, lang: Lang) -> String {
    let (level, code) = g.peer_basis.split_once(' ').unwrap_or(("", ""));
    match (lang, level_zh(level)) {
        (Lang::Zh, Some(l)) => format!("（行业{l} {code}）"),
        (Lang::En, Some(_)) => format!(" ({level} {code})"),
        (Lang::Zh, None) => "（同一行业大类中没有同行企业，不作同行比较）".into(),
        (Lang::En, None) => {
            " (no enterprise of the same industry division: no peer comparison)".into()
        }
    }
}

/// Renders the report, every reason worded in `lang`.
pub fn render(s: &Solution, lang: Lang) -> String {
    let w = if lang == Lang::Zh { &ZH } else { &EN };
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", w.title, s.name, s.uscc);
    // Without peers there is no percentile among them (not the 50 a
    // comparison with nobody would give).
    let percentile = if has_peers(&s.gaps) {
        format!("{:.0}", s.maturity.percentile)
    } else {
        "—".to_string()
    };
    let _ = writeln!(
        out,
        "{}: {:.1}/100, {} {percentile}",
        w.maturity, s.maturity.score, w.percentile
    );
    if s.partial {
        let _ = writeln!(out, "{}: {}", w.partial, s.missing.join(", "));
    }
    let _ = writeln!(out, "\n{}", w.must);
    if s.must.is_empty() {
        let _ = writeln!(out, "  {}", w.none);
    }
    for m in &s.must {
        let state = match m.holding {
            Holding::Held => w.held,
            Holding::NotHeld => w.not_held,
            Holding::HeldOldEdition => w.old,
        };
        let _ = writeln!(out, "  [{state}] {} {}", m.id, m.title);
        for r in &m.reasons {
            let _ = writeln!(out, "      - {}", reason(r, lang));
        }
    }
    let _ = writeln!(out, "\n{}", w.should);
    if s.should.is_empty() {
        let _ = writeln!(out, "  {}", w.none);
    }
    for (i, x) in s.should.iter().enumerate() {
        let _ = writeln!(out, "  {:>2}. {} {} ({:.2})", i + 1, x.id, x.title, x.score);
        for r in x.reasons.iter().take(3) {
            let _ = writeln!(out, "      - {}", reason(r, lang));
        }
    }
    let _ = writeln!(out, "\n{}", w.upgrades);
    if s.upgrades.is_empty() {
        let _ = writeln!(out, "  {}", w.none);
    }
    for u in &s.upgrades {
        let _ = writeln!(out, "  {} → {} ({})", u.held, u.current, u.path.join(" → "));
        if !u.note.is_empty() {
            let _ = writeln!(out, "      - {}", upgrade_note(&u.note, lang));
        }
        if u.status_inferred {
            let _ = writeln!(
                out,
                "      - {}",
                match lang {
                    Lang::Zh =>
                        "状态系按同号标准的版本推断（国家标准目录未给出状态），请以官方公告为准",
                    Lang::En =>
                        "status inferred from the editions of the number (the national list gives none); confirm against the official notice",
                }
            );
        }
    }
    let _ = writeln!(out, "\n{}", w.gaps);
    let g = &s.gaps;
    let _ = writeln!(
        out,
        "  {}: {}{}",
        w.peers,
        g.peer_group_size,
        peer_basis(g, lang)
    );
    if !g.edition.is_empty() {
        let _ = writeln!(out, "  {}:", w.edition_gap);
        for e in &g.edition {
            let _ = writeln!(
                out,
                "    {} → {} ({:.0} y)",
                e.held, e.current, e.years_between
            );
        }
    }
    if !g.alignment.is_empty() {
        let _ = writeln!(out, "  {}:", w.alignment_gap);
        for a in &g.alignment {
            match lang {
                Lang::En => {
                    let _ = writeln!(out, "    {}", a.note);
                }
                Lang::Zh => {
                    let _ = writeln!(
                        out,
                        "    {} 采用 {}{}；该国际标准已修订为 {}",
                        a.national,
                        a.international,
                        degree_zh(&a.note),
                        a.international_current
                    );
                }
            }
        }
    }
    if !g.portfolio.is_empty() {
        // Without peers the items are still gaps (must items not held, the
        // best recommendations), but no share of peers is one.
        let peers = has_peers(g);
        let heading = if peers {
            w.portfolio_gap
        } else {
            w.portfolio_gap_no_peers
        };
        let _ = writeln!(out, "  {heading}:");
        for p in g.portfolio.iter().take(10) {
            let share = if peers {
                format!(" {:.0}%", p.peer_adoption * 100.0)
            } else {
                String::new()
            };
            let _ = writeln!(out, "    {}{share}", p.id);
        }
    }
    if !g.indicators.is_empty() {
        let _ = writeln!(out, "  {}:", w.indicator_gap);
        for i in &g.indicators {
            let op = i.comparator.symbol();
            let _ = writeln!(
                out,
                "    {} = {} {} — {} {op} {} ({}): {} ({:+.2}, {:+.1}%){}",
                i.indicator,
                i.value,
                i.unit,
                i.standard_id,
                i.threshold,
                i.unit,
                if i.meets { w.meets } else { w.fails },
                i.absolute_gap,
                i.relative_gap * 100.0,
                if i.illustrative { w.illustrative } else { "" }
            );
        }
    }
    let _ = writeln!(out, "\n{}", w.roadmap);
    for r in &s.roadmap {
        let _ = writeln!(
            out,
            "  [{}] {} {} — {}",
            phase(r.phase, lang),
            action(r.action, lang),
            r.standard_id,
            roadmap_why(r, s, lang)
        );
    }
    if !s.unmatched_products.is_empty() {
        let _ = writeln!(
            out,
            "\n{}: {}",
            w.unmatched,
            s.unmatched_products.join("、")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_the_roadmap_read_in_the_reports_language() {
        let must = MustItem {
            id: "GB 4706.1-2024".into(),
            title: "家用和类似用途电器的安全 第1部分：通用要求".into(),
            holding: Holding::NotHeld,
            held_as: None,
            reasons: vec![
                Reason::MandatoryGbChina,
                Reason::AppliesToProduct {
                    product: "房间空调器".into(),
                },
            ],
            level: stdnav_core::standard::Level::National,
        };
        let should = ShouldItem {
            id: "GB/T 7725-2022".into(),
            title: "房间空气调节器".into(),
            score: 0.9,
            reasons: vec![Reason::PeersHold {
                held: 12,
                of: 20,
                level: "class".into(),
                code: "3852".into(),
            }],
            level: stdnav_core::standard::Level::National,
            nature: stdnav_core::standard::Nature::Recommended,
        };
        let step = |id: &str, action, why: &str| RoadmapStep {
            phase: Phase::Now,
            standard_id: id.into(),
            title: String::new(),
            action,
            why: why.into(),
            after: Vec::new(),
        };
        let s = Solution {
            must: vec![must],
            should: vec![should],
            roadmap: vec![
                step(
                    "GB 4706.1-2024",
                    Action::Adopt,
                    "mandatory: mandatory national standard (GB) in China",
                ),
                step(
                    "GB/T 7725-2022",
                    Action::Adopt,
                    "held by 12 of 20 peers in class 3852",
                ),
                step(
                    "扫地机器人",
                    Action::DraftEnterpriseStandard,
                    "no standard was found",
                ),
            ],
            ..Default::default()
        };
        let zh = render(&s, Lang::Zh);
        for english in [
            "mandatory national standard",
            "applies to your product",
            "held by",
            "no standard was found",
        ] {
            assert!(!zh.contains(english), "{english:?} in {zh}");
        }
        for chinese in [
            "我国强制性国家标准（GB）",
            "适用于贵企业产品“房间空调器”",
            "行业小类 3852 的 20 家同行中 12 家采用",
            "强制性标准：我国强制性国家标准（GB）",
            "未找到适用于“扫地机器人”的标准",
        ] {
            assert!(zh.contains(chinese), "{chinese:?} not in {zh}");
        }
        let en = render(&s, Lang::En);
        assert!(en.contains("applies to your product 房间空调器"), "{en}");
        assert!(
            en.contains("mandatory: mandatory national standard (GB) in China"),
            "{en}"
        );
        assert_eq!(
            upgrade_note("GB 4706.1-2024 adopts IEC 60335-1:2020 (IDT)", Lang::Zh),
            "GB 4706.1-2024 采用 IEC 60335-1:2020（IDT）"
        );
    }

    #[test]
    fn the_gaps_say_what_the_peers_share_or_that_there_are_none() {
        let g = Gaps {
            peer_group_size: 20,
            peer_basis: "class 3852".into(),
            ..Default::default()
        };
        assert_eq!(peer_basis(&g, Lang::Zh), "（行业小类 3852）");
        assert_eq!(peer_basis(&g, Lang::En), " (class 3852)");
        let none = Gaps::default();
        assert!(peer_basis(&none, Lang::Zh).contains("没有同行企业"));
    }

    #[test]
    fn without_peers_no_share_or_percentile_of_them_is_printed() {
        let gap = PortfolioGap {
            id: "GB 24786-2009".into(),
            title: "一次性使用聚氯乙烯医用检查手套".into(),
            peer_adoption: 0.0,
            mandatory: true,
        };
        let mut s = Solution {
            gaps: Gaps {
                portfolio: vec![gap],
                coverage_percentile: 50.0,
                ..Default::default()
            },
            ..Default::default()
        };
        s.maturity.percentile = 50.0;
        for lang in [Lang::Zh, Lang::En] {
            let text = render(&s, lang);
            assert!(!text.contains('%'), "{text}");
            assert!(!text.contains(" 50\n"), "{text}");
            assert!(text.contains("    GB 24786-2009\n"), "{text}");
        }
        assert!(render(&s, Lang::En).contains("percentile among peers —"));

        s.gaps.peer_group_size = 12;
        s.gaps.peer_basis = "group 291".into();
        s.gaps.portfolio[0].peer_adoption = 0.25;
        let text = render(&s, Lang::En);
        assert!(text.contains("Portfolio gaps (peer adoption):"), "{text}");
        assert!(text.contains("    GB 24786-2009 25%"), "{text}");
        assert!(text.contains("percentile among peers 50"), "{text}");
    }
}
