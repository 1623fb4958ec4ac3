//! The README's main command, run as a user would: the `stdnav` binary
//! advising a demo enterprise and printing JSON.

use std::path::PathBuf;
use std::process::Command;

fn stdnav() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stdnav"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    // One home per test binary: the index and model are built once and reused.
    cmd.arg("--home")
        .arg(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-home"));
    if let Some(data) =
        stdnav_core::demo::find_shared_data(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
    {
        cmd.arg("--data").arg(data);
    }
    cmd
}

/// `stdnav advise --profile PROFILE ARGS…`; its standard output, after
/// checking that it succeeded.
fn advise(profile: &str, args: &[&str]) -> Vec<u8> {
    let out = stdnav()
        .args(["advise", "--profile", profile])
        .args(args)
        .output()
        .expect("stdnav runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn advise_prints_a_solution_with_real_fitting_standards() {
    let stdout = advise(
        "examples/enterprises/air-conditioner.json",
        &["--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&stdout).expect("one JSON object");
    for key in ["must", "should", "upgrades", "gaps", "roadmap"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    // The empty store was seeded with the demo population: real peers.
    assert!(
        v["gaps"]["peer_group_size"].as_u64().unwrap() > 0,
        "{}",
        v["gaps"]
    );
    let must: Vec<&str> = v["must"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(must.contains(&"GB 4706.32-2012"), "{must:?}");
    for item in v["must"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["should"].as_array().unwrap())
    {
        assert!(
            item["title"].is_string() && item["reasons"].is_array(),
            "{item}"
        );
        // Each reason also as a code, worded in --lang (zh by default).
        let codes = item["reason_codes"].as_array().expect("reason_codes");
        assert_eq!(codes.len(), item["reasons"].as_array().unwrap().len());
        for c in codes {
            assert!(
                stdnav_core::reason::CODES.contains(&c["code"].as_str().unwrap()),
                "{c}"
            );
            assert!(c["args"].is_object() && c["text"].is_string(), "{c}");
        }
    }
    let first_must = &v["must"][0]["reason_codes"][0];
    assert_eq!(first_must["code"], "mandatory-gb-china", "{first_must}");
    assert_eq!(first_must["text"], "我国强制性国家标准（GB）");
    let scores: Vec<f64> = v["should"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(
        !scores.is_empty() && scores.windows(2).all(|w| w[0] >= w[1]),
        "{scores:?}"
    );
    let upgrades: Vec<(&str, &str)> = v["upgrades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["held"].as_str().unwrap(), u["current"].as_str().unwrap()))
        .collect();
    assert!(
        upgrades.contains(&("GB/T 19001-2008", "GB/T 19001-2016")),
        "{upgrades:?}"
    );
}

#[test]
fn advise_text_report_in_both_languages() {
    for (lang, needle) in [("zh", "强制性标准"), ("en", "Mandatory standards")] {
        let stdout = advise(
            "examples/enterprises/dairy.json",
            &["--format", "text", "--lang", lang],
        );
        let text = String::from_utf8_lossy(&stdout);
        assert!(text.contains(needle), "{text}");
        assert!(
            text.contains("GB 19645-2010") || text.contains("GB 19301-2010"),
            "{text}"
        );
    }
}

/// The Chinese report words every reason in Chinese: none of the model's
/// or the advisor's English sentences is left.
#[test]
fn advise_text_in_chinese_has_no_english_reasons() {
    let stdout = advise(
        "examples/enterprises/air-conditioner.json",
        &["--format", "text", "--lang", "zh"],
    );
    let text = String::from_utf8_lossy(&stdout);
    for english in [
        "mandatory national standard",
        "mandatory in your market",
        "applies to your product",
        "matches your product",
        "normatively referenced by",
        "you hold an older edition",
        "held by ",
        "peers in ",
        "in your industry",
        "named in regulations",
        "mandatory: ",
        "; the edition in force is",
    ] {
        assert!(
            !text.contains(english),
            "{english:?} in the zh report:\n{text}"
        );
    }
    for chinese in ["我国强制性国家标准（GB）", "家同行", "强制性标准："] {
        assert!(text.contains(chinese), "{chinese:?} not in:\n{text}");
    }
    // The same reasons in English.
    let stdout = advise(
        "examples/enterprises/air-conditioner.json",
        &["--format", "text", "--lang", "en"],
    );
    let text = String::from_utf8_lossy(&stdout);
    assert!(
        text.contains("mandatory national standard (GB) in China"),
        "{text}"
    );
    assert!(!text.contains("我国强制性国家标准"), "{text}");
}

#[test]
fn an_invalid_profile_names_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        r#"{"uscc": "91440402534271235A", "name": "坏数据", "region": "999999", "industries": ["3852"], "products": []}"#,
    )
    .unwrap();
    let out = stdnav()
        .args(["advise", "--profile"])
        .arg(&path)
        .output()
        .expect("stdnav runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for field in ["uscc", "region", "products"] {
        assert!(err.contains(&format!("{field}:")), "{err}");
    }
}

/// `demo-data` writes the same seeded population twice, stores it, and
/// `peers train` re-trains the peer model on what is stored; the advise
/// above compares against that population (peer group size > 0).
#[test]
fn demo_data_is_seeded_stored_and_grouped() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_stdnav"))
            .arg("--home")
            .arg(home.path())
            .args(args)
            .output()
            .expect("stdnav runs");
        assert!(
            out.status.success(),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let a = run(&["demo-data", "--count", "60", "--seed", "5", "--out", "-"]).stdout;
    let b = run(&["demo-data", "--count", "60", "--seed", "5", "--out", "-"]).stdout;
    assert_eq!(a, b, "same seed, same population");
    let lines: Vec<serde_json::Value> = String::from_utf8(a)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 60);
    assert!(
        lines.iter().all(
            |p| p["flags"][0] == "synthetic" && p["region"].as_str().unwrap().starts_with("37")
        )
    );

    let stored = run(&["demo-data", "--count", "60", "--seed", "5", "--upsert"]);
    let said = String::from_utf8_lossy(&stored.stderr);
    assert!(said.contains("upserted 60"), "{said}");
    let trained = run(&["peers", "train"]);
    let said = String::from_utf8_lossy(&trained.stdout);
    assert!(said.contains("k=8 clusters over 60 enterprises"), "{said}");
    assert!(
        std::fs::read_dir(home.path().join("models"))
            .unwrap()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("peers-"))
    );
}

/// `stdnav train` then `stdnav evaluate` on a small population: a model
/// artifact is written and the table has the model and both baselines on
/// both sets, with metrics in 0..1.
#[test]
fn train_then_evaluate_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("scoring.json");
    let model = model.to_str().unwrap();
    let out = stdnav()
        .args(["train", "--count", "120", "--seed", "3", "--model", model])
        .output()
        .expect("stdnav runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let artifact: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model).unwrap()).unwrap();
    assert!(artifact["metrics"]["validation_auc"].as_f64().unwrap() > 0.5);

    let out = stdnav()
        .args([
            "evaluate", "--count", "120", "--seed", "3", "--model", model,
        ])
        .output()
        .expect("stdnav runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The overall table: the held-out set and each half of the check set
    // that has a catalogued case (both with the real catalogues).
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("| held-out") || l.starts_with("| real-world"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let held_out = rows.iter().filter(|r| r[0].starts_with("held-out")).count();
    assert_eq!(held_out, 3, "{stdout}");
    let halves = (rows.len() - held_out) / 3;
    assert!(rows.len().is_multiple_of(3) && halves >= 1, "{stdout}");
    if stdnav_core::demo::find_shared_data(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .is_some()
    {
        assert_eq!(halves, 2, "dev and test halves: {stdout}");
    }
    for method in ["model", "BM25", "popularity"] {
        assert_eq!(
            rows.iter().filter(|r| r[1].starts_with(method)).count(),
            1 + halves,
            "{stdout}"
        );
    }
    for r in &rows {
        for v in &r[3..6] {
            let v: f64 = v.parse().unwrap();
            assert!((0.0..=1.0).contains(&v), "{stdout}");
        }
    }
    // Each half is also broken down by slice, the three methods side by side.
    let overall_slices = stdout.lines().filter(|l| l.starts_with("| all | ")).count();
    assert_eq!(overall_slices, halves, "{stdout}");
    assert!(stdout.contains("| Chinese product names |"), "{stdout}");

    // A missing artifact is a clear error, not a fallback.
    let out = stdnav()
        .args(["evaluate", "--model", "/nonexistent/scoring.json"])
        .output()
        .expect("stdnav runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `stdnav train` first"));
}
