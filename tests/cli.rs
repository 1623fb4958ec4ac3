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

#[test]
fn advise_prints_a_solution_with_real_fitting_standards() {
    let out = stdnav()
        .args([
            "advise",
            "--profile",
            "examples/enterprises/air-conditioner.json",
            "--format",
            "json",
        ])
        .output()
        .expect("stdnav runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in ["must", "should", "upgrades", "gaps", "roadmap"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
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
    }
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
        let out = stdnav()
            .args([
                "advise",
                "--profile",
                "examples/enterprises/dairy.json",
                "--format",
                "text",
                "--lang",
                lang,
            ])
            .output()
            .expect("stdnav runs");
        assert!(
            out.status.success(),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needle), "{text}");
        assert!(
            text.contains("GB 19645-2010") || text.contains("GB 19301-2010"),
            "{text}"
        );
    }
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
