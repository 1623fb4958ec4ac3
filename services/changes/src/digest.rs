//! The digest: for each of a tenant's enterprises, what changed and what
//! to do, as JSON or as a text an agency can send, in Chinese or English.

use serde::Serialize;

use stdnav_core::enterprise::EnterpriseRecord;

use crate::event::{ChangeEvent, ChangeKind};
use crate::impact::Reason;
use crate::log::FeedItem;
use crate::remind::ms_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

#[derive(Debug, Clone, Serialize)]
pub struct DigestItem {
    pub event_id: String,
    pub kind: ChangeKind,
    pub standard: String,
    pub title_zh: String,
    pub title_en: String,
    /// Replacement or new edition, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// The date it is about (reminders, effective dates) or when it was detected.
    pub date: String,
    pub reasons: Vec<Reason>,
    pub mandatory: bool,
    #[serde(skip)]
    event: ChangeEvent,
}

impl DigestItem {
    /// Affects the enterprise only as a standard in its field.
    pub fn only_recommended(&self) -> bool {
        self.reasons
            .iter()
            .all(|r| matches!(r, Reason::Recommended { .. }))
    }
}

/// How many items that are only in an enterprise's field the text spells out.
pub const RECOMMENDED_SHOWN: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct DigestEnterprise {
    pub uscc: String,
    pub name: String,
    pub items: Vec<DigestItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub tenant: String,
    pub since: String,
    pub generated: String,
    /// How many enterprises the tenant has (those with nothing to report included).
    pub enterprises_total: usize,
    /// Enterprises with something to report, in the tenant's order.
    pub enterprises: Vec<DigestEnterprise>,
}

/// Urgency: what a reader must act on first.
fn rank(item: &DigestItem) -> (u8, String) {
    let holds = item
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Holds { .. } | Reason::HoldsOtherEdition { .. }));
    let urgency = match (item.kind, holds || item.mandatory) {
        (ChangeKind::Withdrawn | ChangeKind::Replaced | ChangeKind::TransitionDeadline, true) => 0,
        (ChangeKind::NewEdition | ChangeKind::NowInForce | ChangeKind::ComingIntoForce, true) => 1,
        (_, true) => 2,
        _ if item
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::References { .. })) =>
        {
            3
        }
        _ => 4,
    };
    (urgency, item.standard.clone())
}

impl Digest {
    /// Groups `entries` (each with impacts on the tenant's enterprises) by enterprise.
    pub fn build(
        tenant: &str,
        since_ms: u64,
        enterprises: &[EnterpriseRecord],
        entries: &[FeedItem],
    ) -> Digest {
        let mut out = Vec::new();
        for e in enterprises {
            let mut items: Vec<DigestItem> = Vec::new();
            for entry in entries {
                let ev = &entry.event;
                if !ev.uscc.is_empty() && ev.uscc != e.profile.uscc {
                    continue;
                }
                let Some(impact) = entry.impacts.iter().find(|i| i.uscc == e.profile.uscc) else {
                    continue;
                };
                if items.iter().any(|i| i.event_id == ev.id) {
                    continue;
                }
                let successor =
                    ev.replacements.last().cloned().or_else(|| {
                        (ev.kind == ChangeKind::NewEdition).then(|| ev.standard.clone())
                    });
                let date = if !ev.due.is_empty() {
                    ev.due.clone()
                } else if !ev.effective.is_empty() && ev.kind == ChangeKind::NowInForce {
                    ev.effective.clone()
                } else {
                    ms_date(ev.detected_ms)
                };
                items.push(DigestItem {
                    event_id: ev.id.clone(),
                    kind: ev.kind,
                    standard: ev.standard.clone(),
                    title_zh: ev.title_zh.clone(),
                    title_en: ev.title_en.clone(),
                    successor,
                    date,
                    reasons: impact.reasons.clone(),
                    mandatory: ev.mandatory,
                    event: ev.clone(),
                });
            }
            if items.is_empty() {
                continue;
            }
            items.sort_by_key(rank);
            out.push(DigestEnterprise {
                uscc: e.profile.uscc.clone(),
                name: e.profile.name.clone(),
                items,
            });
        }
        Digest {
            tenant: tenant.to_string(),
            since: ms_date(since_ms),
            generated: ms_date(crate::now_ms()),
            enterprises_total: enterprises.len(),
            enterprises: out,
        }
    }

    /// The digest as text to send, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let mut s = String::new();
        let items: usize = self.enterprises.iter().map(|e| e.items.len()).sum();
        if zh {
            s.push_str(&format!("标准动态摘要 — 租户 {}\n", self.tenant));
            s.push_str(&format!(
                "统计区间：{} 至 {}；共 {} 项标准变化与提醒，涉及 {} 家企业（共 {} 家）。\n",
                self.since,
                self.generated,
                items,
                self.enterprises.len(),
                self.enterprises_total
            ));
        } else {
            s.push_str(&format!(
                "Standards update digest — tenant {}\n",
                self.tenant
            ));
            s.push_str(&format!(
                "From {} to {}: {} item{} for {} of {} enterprises.\n",
                self.since,
                self.generated,
                items,
                if items == 1 { "" } else { "s" },
                self.enterprises.len(),
                self.enterprises_total
            ));
        }
        if self.enterprises.is_empty() {
            s.push_str(if zh {
                "\n本期没有影响贵方企业的标准变化。\n"
            } else {
                "\nNo change in this period affects your enterprises.\n"
            });
            return s;
        }
        for e in &self.enterprises {
            s.push_str(&format!("\n■ {}（{}）\n", e.name, e.uscc));
            // Standards merely in the enterprise's field come last; only
            // the first few are spelled out.
            let (mut shown, mut more) = (0, 0);
            for (n, item) in e.items.iter().enumerate() {
                if item.only_recommended() {
                    if shown == RECOMMENDED_SHOWN {
                        more += 1;
                        continue;
                    }
                    shown += 1;
                }
                Self::render_item(&mut s, item, n + 1, lang);
            }
            if more > 0 {
                s.push_str(&if zh {
                    format!("  …… 另有 {more} 项贵单位领域内的新标准（JSON 格式列出全部）\n")
                } else {
                    format!("  … and {more} more new standards in your field (the JSON format lists them all)\n")
                });
            }
        }
        s
    }

    fn render_item(s: &mut String, item: &DigestItem, n: usize, lang: Lang) {
        let zh = lang == Lang::Zh;
        let title = if zh && !item.title_zh.is_empty() || item.title_en.is_empty() {
            &item.title_zh
        } else {
            &item.title_en
        };
        s.push_str(&format!(
            "  {n}. [{}] {}{}{title}\n",
            kind_label(item.kind, lang),
            item.standard,
            if title.is_empty() { "" } else { " " },
        ));
        for r in &item.reasons {
            let why = if zh { "原因：" } else { "Why: " };
            s.push_str(&format!("     {why}{}\n", reason_text(r, lang)));
        }
        let to_do = if zh { "建议：" } else { "To do: " };
        s.push_str(&format!("     {to_do}{}\n", action(item, lang)));
    }
}

pub fn kind_label(kind: ChangeKind, lang: Lang) -> &'static str {
    let zh = lang == Lang::Zh;
    match kind {
        ChangeKind::NewEdition => {
            if zh {
                "新版发布"
            } else {
                "new edition"
            }
        }
        ChangeKind::Withdrawn => {
            if zh {
                "废止"
            } else {
                "withdrawn"
            }
        }
        ChangeKind::Replaced => {
            if zh {
                "被代替"
            } else {
                "replaced"
            }
        }
        ChangeKind::NowInForce => {
            if zh {
                "已实施"
            } else {
                "now in force"
            }
        }
        ChangeKind::TitleChanged => {
            if zh {
                "名称变更"
            } else {
                "title changed"
            }
        }
        ChangeKind::ClassificationChanged => {
            if zh {
                "分类变更"
            } else {
                "classification changed"
            }
        }
        ChangeKind::ReviewDue => {
            if zh {
                "待复审"
            } else {
                "review due"
            }
        }
        ChangeKind::ComingIntoForce => {
            if zh {
                "即将实施"
            } else {
                "coming into force"
            }
        }
        ChangeKind::TransitionDeadline => {
            if zh {
                "过渡期截止"
            } else {
                "transition deadline"
            }
        }
    }
}

pub fn reason_text(r: &Reason, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match r {
        Reason::Holds { held } => {
            if zh {
                format!("贵单位执行 {held}")
            } else {
                format!("you apply {held}")
            }
        }
        Reason::HoldsOtherEdition { held } => {
            if zh {
                format!("贵单位执行该标准的另一版本 {held}")
            } else {
                format!("you apply another edition, {held}")
            }
        }
        Reason::References { held, path } => {
            let chain = path.join(" → ");
            if zh {
                format!("贵单位执行的 {held} 规范性引用了它（{chain}）")
            } else {
                format!("{held}, which you apply, references it normatively ({chain})")
            }
        }
        Reason::Mandatory { industry, ics } => {
            if zh {
                format!("强制性国家标准，属贵单位行业（{industry}）的 ICS {ics} 范围")
            } else {
                format!("mandatory national standard in ICS {ics}, your industry's ({industry})")
            }
        }
        Reason::Recommended { ics } => {
            if zh {
                format!("属贵单位产品领域（ICS {ics}），可纳入推荐")
            } else {
                format!("in your products' field (ICS {ics}): a candidate recommendation")
            }
        }
    }
}

/// What to do, in words.
pub fn action(item: &DigestItem, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let holds = item
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Holds { .. } | Reason::HoldsOtherEdition { .. }));
    let references = item
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::References { .. }));
    let holds_this = item
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Holds { .. }));
    let code = &item.standard;
    let next = item.successor.clone().unwrap_or_default();
    let ev = &item.event;
    match item.kind {
        ChangeKind::Replaced if holds => {
            if zh {
                format!("改用 {next}：对照新旧版本差异，更新企业标准、检验规程和产品标识中的引用")
            } else {
                format!(
                    "move to {next}: compare the editions and update your enterprise standards, test procedures and product markings"
                )
            }
        }
        ChangeKind::Withdrawn if holds => {
            if zh {
                format!("{code} 已废止且无替代标准：停止引用，评估是否改用行业、团体或企业标准")
            } else {
                format!(
                    "{code} is withdrawn with no replacement: stop citing it and decide what to rely on instead (industry, group or your own standard)"
                )
            }
        }
        ChangeKind::NewEdition if holds_this => {
            if zh {
                format!("贵单位已执行 {code}：确认其实施日期，并在实施前完成内部文件换版")
            } else {
                format!(
                    "you already apply {code}: check its effective date and update your documents before then"
                )
            }
        }
        ChangeKind::NewEdition if holds => {
            if zh {
                format!("新版 {code} 已发布：制定升级计划，在实施日前完成换版")
            } else {
                format!("{code} is published: plan the move to it before it takes effect")
            }
        }
        ChangeKind::NowInForce if holds || item.mandatory => {
            if zh {
                format!("{code} 已于 {} 起实施：确认产品和体系已符合", item.date)
            } else {
                format!(
                    "{code} is in force since {}: confirm your products and processes conform",
                    item.date
                )
            }
        }
        ChangeKind::TitleChanged | ChangeKind::ClassificationChanged if holds => {
            if zh {
                format!(
                    "更新内部文件中的标准信息（{} → {}）",
                    ev.old_value, ev.new_value
                )
            } else {
                format!(
                    "update the standard's details in your documents ({} → {})",
                    ev.old_value, ev.new_value
                )
            }
        }
        ChangeKind::ReviewDue => {
            if zh {
                format!(
                    "{code} 发布已逾五年（应于 {} 前复审）：核实其现行有效性及复审结论",
                    item.date
                )
            } else {
                format!(
                    "{code} is over five years old (review due {}): check it is still valid and whether it was reviewed",
                    item.date
                )
            }
        }
        ChangeKind::ComingIntoForce => {
            if zh {
                format!("{code} 将于 {} 实施：提前准备符合性评估", item.date)
            } else {
                format!(
                    "{code} takes effect on {}: prepare the conformity assessment now",
                    item.date
                )
            }
        }
        ChangeKind::TransitionDeadline => {
            if zh {
                format!(
                    "过渡期至 {} 截止：此前完成由 {code} 切换到 {next}",
                    item.date
                )
            } else {
                format!(
                    "the transition ends on {}: move from {code} to {next} before then",
                    item.date
                )
            }
        }
        _ if references => {
            if zh {
                format!("核查贵单位标准中引用 {code} 的条款是否受影响")
            } else {
                format!("check whether the clauses of your standards that cite {code} are affected")
            }
        }
        _ if item.mandatory => {
            if zh {
                format!("{code} 为强制性标准：评估是否适用于贵单位产品")
            } else {
                format!("{code} is mandatory: assess whether it applies to your products")
            }
        }
        _ => {
            if zh {
                format!("关注 {code} 的变化，评估是否采用")
            } else {
                format!("note the change to {code} and consider whether to adopt it")
            }
        }
    }
}
