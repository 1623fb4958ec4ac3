//! The pages' words in Chinese (the default) and English. Templates read
//! them as `t.key`; a key missing here renders empty, which the page tests
//! would show.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `en` for English; anything else (or nothing) is Chinese.
    pub fn from_param(p: Option<&str>) -> Self {
        match p.map(str::trim) {
            Some("en") => Self::En,
            _ => Self::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }
}

const WORDS: &[(&str, &str, &str)] = &[
    ("site", "标准领航", "stdnav"),
    (
        "tagline",
        "标准化公共服务平台",
        "Standardization public service platform",
    ),
    ("nav_map", "一张图", "Map"),
    ("nav_index", "发展指数", "Index"),
    ("nav_enterprise", "企业方案", "Enterprise"),
    ("nav_search", "标准检索", "Search"),
    ("nav_changes", "标准变更", "Changes"),
    ("nav_check", "标准核查", "Document check"),
    ("switch", "English", "中文"),
    (
        "map_title",
        "山东省标准化一张图",
        "Shandong standardization map",
    ),
    ("map_hint", "点击城市查看详情", "Click a city to drill down"),
    ("colour_by", "着色依据", "Colour by"),
    ("no_data", "无数据", "no data"),
    ("index", "发展指数", "Development index"),
    ("management_systems", "管理体系认证", "Management systems"),
    ("standards_held", "采用标准", "Standards held"),
    (
        "enterprise_standards",
        "企业标准自我声明",
        "Enterprise standards disclosed",
    ),
    (
        "data_management",
        "数据管理能力（DCMM）",
        "Data management (DCMM)",
    ),
    ("city", "城市", "City"),
    ("enterprises", "企业数", "Enterprises"),
    ("industries", "行业", "Industries"),
    ("chains", "产业链", "Chains"),
    (
        "laggards",
        "采用标准最少的企业",
        "Enterprises holding the fewest standards",
    ),
    ("count", "数量", "Count"),
    ("name", "名称", "Name"),
    (
        "index_title",
        "标准化发展指数",
        "Standardization development index",
    ),
    (
        "index_note",
        "公式与权重见 docs/INDEX.md",
        "Formula and weights in docs/INDEX.md",
    ),
    ("basis", "数据基础", "Basis"),
    (
        "basis_batch_results",
        "产业链批量评估结果",
        "chain batch results",
    ),
    (
        "basis_stored_records",
        "企业存档数据（尚无产业链批量评估结果）",
        "stored enterprise records (no chain batch results yet)",
    ),
    ("data_date", "数据日期", "Data date"),
    ("chains_read", "所读产业链", "Chains read"),
    (
        "mandatory_coverage",
        "强制性标准覆盖率",
        "Mandatory standards covered",
    ),
    ("edition_currency", "标准版本现行率", "Edition currency"),
    (
        "international_alignment",
        "国际标准对标",
        "International alignment",
    ),
    ("view", "视图", "View"),
    ("by_industry", "按行业（大类）", "By industry (division)"),
    ("by_chain", "按产业链", "By chain"),
    ("all", "全部", "All"),
    ("show", "显示", "Show"),
    ("slice", "当前范围", "Showing"),
    (
        "unmatched_products",
        "未找到标准的产品（标准需求）",
        "Products with no standard found (demand)",
    ),
    (
        "lowest_maturity",
        "标准化成熟度最低的企业",
        "Enterprises with the lowest maturity",
    ),
    ("login_title", "登录", "Log in"),
    ("login_key", "API 密钥", "API key"),
    ("login_submit", "登录", "Log in"),
    (
        "login_hint",
        "使用机构的 API 密钥（snk_…）登录后，即以该机构（租户）身份使用各页面；密钥只保存在服务器内存中。",
        "Log in with your agency's API key (snk_…) to use the pages as that tenant; the key stays in the server's memory.",
    ),
    (
        "login_needed",
        "此服务器启用了 API 密钥，请先登录。",
        "This server uses API keys: please log in.",
    ),
    (
        "login_wrong_key",
        "API 密钥无效（错误、已吊销或输入有误）。",
        "API key not accepted (wrong, revoked or mistyped).",
    ),
    (
        "login_expired",
        "登录表单已过期或来自其他网站，请重试。",
        "The login form expired or came from another site: please try again.",
    ),
    (
        "login_not_needed",
        "此服务器未启用 API 密钥，无需登录。",
        "This server runs without API keys: no login needed.",
    ),
    ("logout", "退出登录", "Log out"),
    (
        "csrf_failed",
        "表单已过期或来自其他网站（CSRF 校验失败），请刷新页面后重试。",
        "The form expired or came from another site (CSRF check failed): reload the page and try again.",
    ),
    ("download_csv", "下载 CSV", "Download CSV"),
    ("weight", "权重", "Weight"),
    (
        "enterprise_title",
        "企业标准化方案",
        "Enterprise standardization solution",
    ),
    (
        "by_uscc",
        "按统一社会信用代码查询",
        "By unified social credit code",
    ),
    ("uscc", "统一社会信用代码", "USCC"),
    ("or_profile", "或填写企业画像", "Or describe the enterprise"),
    ("region", "行政区划代码", "Region code (GB/T 2260)"),
    (
        "industry_codes",
        "行业代码（GB/T 4754，逗号分隔）",
        "Industry codes (GB/T 4754, comma-separated)",
    ),
    ("products", "产品（每行一个）", "Products (one per line)"),
    ("markets", "目标市场（如 CN,EU）", "Markets (e.g. CN,EU)"),
    (
        "held",
        "已采用标准（每行一个）",
        "Standards held (one per line)",
    ),
    ("submit", "生成方案", "Get the solution"),
    ("must", "必须采用（强制性标准）", "Must adopt (mandatory)"),
    ("should", "建议采用", "Should adopt"),
    ("upgrades", "标准升级", "Upgrades"),
    ("gaps", "对标差距", "Benchmarking gaps"),
    ("roadmap", "实施路线图", "Roadmap"),
    ("maturity", "标准化成熟度", "Standardization maturity"),
    ("percentile", "同行百分位", "Percentile among peers"),
    ("code", "标准号", "Code"),
    ("title", "标准名称", "Title"),
    ("holding", "状态", "Status"),
    ("reasons", "理由", "Reasons"),
    ("score", "得分", "Score"),
    ("held_edition", "现行版本", "Held"),
    ("current_edition", "最新版本", "Current"),
    ("path", "更替路径", "Path"),
    ("edition_gap", "版本差距", "Edition gaps"),
    ("alignment_gap", "国际对标差距", "International alignment"),
    ("portfolio_gap", "同行采用差距", "Portfolio against peers"),
    ("indicator_gap", "指标差距", "Indicators"),
    ("peer_adoption", "同行采用率", "Peer adoption"),
    ("years", "年", "years"),
    ("phase_now", "立即", "Now"),
    ("phase_within_6_months", "6 个月内", "Within 6 months"),
    ("phase_within_12_months", "12 个月内", "Within 12 months"),
    ("holding_held", "已采用", "held"),
    ("holding_not_held", "未采用", "not held"),
    ("holding_held_old_edition", "采用旧版本", "old edition held"),
    ("action_adopt", "采用", "Adopt"),
    ("action_upgrade", "升级", "Upgrade"),
    ("action_certify", "认证", "Certify"),
    (
        "action_draft_enterprise_standard",
        "制定企业标准",
        "Draft an enterprise standard",
    ),
    (
        "unmatched",
        "未找到标准的产品（标准需求）",
        "Products with no standard found (demand)",
    ),
    ("partial", "部分结果，缺少：", "Partial answer, missing:"),
    ("print", "打印 / 导出 PDF", "Print / save as PDF"),
    ("search_title", "标准检索", "Search the catalogue"),
    (
        "search_placeholder",
        "中文、英文或标准号",
        "Words in Chinese or English, or a code",
    ),
    ("search", "检索", "Search"),
    ("results", "条结果", "results"),
    ("clear_filters", "清除筛选", "Clear filters"),
    ("facet_level", "层级", "Level"),
    ("facet_nature", "性质", "Nature"),
    ("facet_status", "状态", "Status"),
    ("facet_ics_field", "ICS 领域", "ICS field"),
    ("facet_category", "类别", "Category"),
    ("facet_published_year", "发布年份", "Year"),
    ("facet_family", "标准类型", "Family"),
    ("prev", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("standard_title", "标准详情", "Standard"),
    ("lineage", "文件溯源", "Lineage"),
    ("status", "状态", "Status"),
    ("published", "发布日期", "Published"),
    ("level", "层级", "Level"),
    ("nature", "性质", "Nature"),
    ("ics", "ICS", "ICS"),
    ("adopts", "采用国际标准", "Adopts"),
    ("replaces", "代替", "Replaces"),
    ("replaced_by", "被代替", "Replaced by"),
    ("normative_refs", "规范性引用", "Normative references"),
    ("changes_title", "标准变更与提醒", "Changes and reminders"),
    ("kind", "类型", "Kind"),
    ("standard", "标准", "Standard"),
    ("affected", "受影响企业", "Affected enterprises"),
    ("detected", "发现日期", "Detected"),
    ("no_changes", "暂无变更", "No changes yet"),
    ("check_title", "标准有效性核查", "Standards validity check"),
    (
        "check_hint",
        "上传产品规范、检测报告、招标文件或企业标准，或粘贴标准清单：列出其引用的每项标准及是否现行。",
        "Upload a product specification, test report, tender or enterprise standard, or paste a list of codes: every standard it cites, and whether it is still in force.",
    ),
    (
        "check_file",
        "文件（PDF、DOCX、XLSX、CSV、TXT，合计不超过 60 MiB）",
        "Files (PDF, DOCX, XLSX, CSV, TXT; 60 MiB in all)",
    ),
    (
        "check_text",
        "或粘贴标准清单（每行一个）",
        "Or paste a list of codes (one per line)",
    ),
    ("check_submit", "开始核查", "Check"),
    ("check_documents", "核查文件", "Documents checked"),
    ("check_pasted", "粘贴的清单", "pasted list"),
    ("check_pages", "页", "pages"),
    ("check_total", "引用标准", "Standards cited"),
    (
        "check_update_first",
        "优先更新（强制性标准优先，废止先于被代替）",
        "Update first (mandatory first, withdrawn before superseded)",
    ),
    (
        "check_none_outdated",
        "未发现被代替或废止的标准。",
        "Nothing cited is superseded or withdrawn.",
    ),
    ("check_citations", "逐项结果", "Each citation"),
    (
        "check_unknown",
        "目录中未收录的标准代号（请人工核对）",
        "Codes the catalogue does not list (check them by hand)",
    ),
    ("check_warnings", "提示", "Notes"),
    ("check_in_force", "现行版本", "In force"),
    ("check_where", "出现位置", "Where cited"),
    ("check_mandatory", "强制性", "mandatory"),
    ("check_inferred", "状态系推断", "status inferred"),
    (
        "check_undated",
        "未注日期引用，按现行版本核查",
        "undated reference, checked against the current edition",
    ),
    ("check_edition_number", "引用了版次", "edition number cited"),
    ("check_partly", "部分被代替：", "partly replaced by"),
    ("check_revised", "已修订为", "since revised as"),
    ("check_effective", "实施日期", "in force from"),
    (
        "check_no_replacement",
        "目录中无现行替代标准",
        "no replacement in force in the catalogue",
    ),
    (
        "check_not_in_catalogue",
        "目录中未收录",
        "not in the catalogue",
    ),
    ("check_times", "次", "×"),
    (
        "check_truncated",
        "引用超过 20,000 项，其余未列出。",
        "More than 20,000 codes cited: the rest are not listed.",
    ),
    (
        "check_footer",
        "本报告依据所载标准目录自动生成；推断的状态与未收录的代号请以官方发布为准。",
        "Generated from the catalogues held; confirm inferred statuses and unlisted codes against the official publications.",
    ),
    ("cstatus_current", "现行", "current"),
    ("cstatus_superseded", "被代替", "superseded"),
    ("cstatus_withdrawn", "废止", "withdrawn"),
    ("cstatus_upcoming", "即将实施", "upcoming"),
    ("cstatus_unknown", "未收录", "unknown"),
    ("error_title", "出错了", "Something went wrong"),
    ("back", "返回", "Back"),
    (
        "data_credit",
        "城市格网图由本项目绘制；区划代码 GB/T 2260。",
        "Tile-grid map drawn by the project; region codes GB/T 2260.",
    ),
];

/// The words of `lang` by key.
pub fn words(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    WORDS
        .iter()
        .map(|(k, zh, en)| (*k, if lang == Lang::Zh { *zh } else { *en }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once_with_both_languages() {
        let mut keys: Vec<_> = WORDS.iter().map(|w| w.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key appears twice");
        assert!(
            WORDS
                .iter()
                .all(|(_, zh, en)| !zh.is_empty() && !en.is_empty())
        );
        assert_eq!(Lang::from_param(Some("en")), Lang::En);
        assert_eq!(Lang::from_param(Some("<script>")), Lang::Zh);
    }
}
