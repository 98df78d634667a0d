//! Releases as users get them: `scripts/release --binary` packages the provider this test run built,
//! and `terraform init` installs it the way a registry user or an air-gapped runner would — from a
//! `filesystem_mirror` and from an HTTPS `network_mirror` on loopback — with no `dev_overrides`.
//! Then `terraform plan` runs the installed copy against moto.

mod https_mirror;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine;

use crate::support::*;
use https_mirror::HttpsMirror;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const SOURCE_DIR: &str = "registry.terraform.io/awsecs/awsecs";

/// The binary to package: this run's (debug) provider, or `AWSECS_ACC_RELEASE_BINARY` — e.g. the
/// static release build — to check a real release artifact the same way.
fn packaged_binary() -> PathBuf {
    match std::env::var_os("AWSECS_ACC_RELEASE_BINARY") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => provider_binary(),
    }
}

/// The release directory `scripts/release --binary <packaged_binary()>` wrote, made once.
fn release_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("release-{}", std::process::id()));
        let bin = packaged_binary();
        let stdout = run_release(&["--binary", &bin.to_string_lossy()], &out);
        assert!(
            stdout.contains("linkage: "),
            "the script reports the binary's linkage (static or its glibc floor):\n{stdout}"
        );
        out
    })
}

fn run_release(args: &[&str], out: &Path) -> String {
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/release"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run scripts/release");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "scripts/release {args:?} failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn asset(name: &str) -> String {
    format!("terraform-provider-awsecs_{VERSION}_{name}")
}

fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run sha256sum");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(data.as_ref())
        .expect("feed sha256sum");
    let out = child.wait_with_output().expect("sha256sum output");
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

/// Terraform's `h1:` package hash (Go's dirhash Hash1) of a zip holding just `file` as `name`:
/// base64 of the sha256 of the sorted "sha256hex  name\n" lines.
fn h1_of_single_file(contents: &[u8], name: &str) -> String {
    let listing = format!("{}  {name}\n", sha256_hex(contents));
    let hex = sha256_hex(listing.as_bytes());
    let digest: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .expect("hex digest");
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The `h1:` hash of the packaged provider, computed from the binary itself.
fn expected_h1() -> String {
    let binary = std::fs::read(packaged_binary()).expect("read the provider binary");
    h1_of_single_file(&binary, &format!("terraform-provider-awsecs_v{VERSION}"))
}

/// A configuration whose plan needs the provider: Configure (STS), a data source read, a resource.
fn plan_config() -> String {
    config(&format!(
        r#"
data "awsecs_caller_identity" "me" {{}}

resource "awsecs_iam_role" "r" {{
  name               = "{}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}] }})
}}

output "account" {{
  value = data.awsecs_caller_identity.me.account_id
}}
"#,
        unique_name("install")
    ))
}

/// `init` then `plan` with `cli_config` (instead of the harness's dev_overrides); checks the lock
/// file and that the installed binary — not a dev override — ran the plan.
fn init_and_plan(tf: &Workdir, cli_config: &str, env: &[(&str, &str)]) -> TfOutput {
    let cli = tf.path().join("install.tfrc");
    std::fs::write(&cli, cli_config).expect("write the CLI config");
    let cli = cli.to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        let mut cmd = tf.cmd(args).env("TF_CLI_CONFIG_FILE", &cli);
        for (k, v) in env {
            cmd = cmd.env(k, v);
        }
        cmd
    };
    let init = run(&["init", "-input=false", "-no-color"]).success();
    assert!(
        init.stdout
            .contains(&format!("Installed awsecs/awsecs v{VERSION}")),
        "{init}"
    );
    let lock = std::fs::read_to_string(tf.path().join(".terraform.lock.hcl")).expect("lock file");
    assert!(
        lock.contains(&format!("version = \"{VERSION}\"")) && lock.contains(&expected_h1()),
        "the lock file pins {VERSION} with the h1: hash of the packaged binary ({})\n{lock}",
        expected_h1()
    );
    let installed = tf.path().join(format!(
        ".terraform/providers/{SOURCE_DIR}/{VERSION}/linux_amd64/terraform-provider-awsecs_v{VERSION}"
    ));
    assert!(installed.is_file(), "{} is installed", installed.display());

    let (plan, calls) = tf.record(|| run(&["plan", "-input=false", "-no-color"]).success());
    for out in [&init, &plan] {
        assert!(
            !format!("{}{}", out.stdout, out.stderr).contains("development overrides"),
            "no dev_overrides may be in effect\n{out}"
        );
    }
    assert!(
        plan.stdout.contains("awsecs_iam_role.r will be created"),
        "{plan}"
    );
    if !real_aws() {
        assert!(plan.stdout.contains("account = \"123456789012\""), "{plan}");
        assert!(
            calls
                .iter()
                .any(|c| c.action.as_deref() == Some("GetCallerIdentity")),
            "the installed provider called AWS: {calls:?}"
        );
    }
    plan
}

#[test]
fn release_layout_has_zip_manifest_and_sums() {
    let dir = release_dir();
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(asset("manifest.json"))).expect("manifest"),
    )
    .expect("manifest is JSON");
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["5.0"]}})
    );
    let sums = std::fs::read_to_string(dir.join(asset("SHA256SUMS"))).expect("SHA256SUMS");
    let mut named: Vec<&str> = sums
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|p| p.1)
        .collect();
    named.sort();
    assert_eq!(named, [asset("linux_amd64.zip"), asset("manifest.json")]);
    for line in sums.lines() {
        let (hash, file) = line.split_once("  ").expect("sha256sum line");
        let data = std::fs::read(dir.join(file)).expect("listed file exists");
        assert_eq!(hash, sha256_hex(&data), "{file}");
    }
    let listing = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print(*zipfile.ZipFile(sys.argv[1]).namelist())",
        ])
        .arg(dir.join(asset("linux_amd64.zip")))
        .output()
        .expect("list the zip with python3");
    assert_eq!(
        String::from_utf8_lossy(&listing.stdout).trim(),
        format!("terraform-provider-awsecs_v{VERSION}"),
        "the zip holds exactly the versioned binary"
    );
}

#[test]
fn release_signs_sums_with_a_supplied_key() {
    let home = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("GNUPGHOME");
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg is needed for this test (install gnupg)");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    // The registry accepts RSA and DSA keys, not the default ECC type.
    gpg(&[
        "--quick-generate-key",
        "Release Test <release@example.com>",
        "rsa2048",
        "sign",
        "never",
    ]);
    let out = home.path().join("dist");
    // Any linux binary will do for the signature; /bin/true keeps this test fast.
    let stdout = Command::new("bash")
        .env("GNUPGHOME", home.path())
        .arg(repo_root().join("scripts/release"))
        .args([
            "--binary",
            "/bin/true",
            "--version",
            "1.2.3-rc1",
            "--sign-key",
        ])
        .arg("release@example.com")
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run scripts/release");
    assert!(
        stdout.status.success(),
        "{}",
        String::from_utf8_lossy(&stdout.stderr)
    );
    let sums = out.join("terraform-provider-awsecs_1.2.3-rc1_SHA256SUMS");
    let sig = out.join("terraform-provider-awsecs_1.2.3-rc1_SHA256SUMS.sig");
    let raw = std::fs::read(&sig).expect("the signature was written");
    assert!(
        !raw.starts_with(b"-----BEGIN"),
        "a binary signature, not armored"
    );
    gpg(&["--verify", &sig.to_string_lossy(), &sums.to_string_lossy()]);
    // The signature is over the sums: changing them must break it.
    std::fs::write(&sums, "tampered\n").expect("tamper");
    let bad = Command::new("gpg")
        .env("GNUPGHOME", home.path())
        .args(["--batch", "--verify"])
        .arg(&sig)
        .arg(&sums)
        .output()
        .expect("gpg --verify");
    assert!(
        !bad.status.success(),
        "a tampered SHA256SUMS must not verify"
    );
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "gpg-agent"])
        .status();
}

#[test]
fn init_installs_the_release_from_a_filesystem_mirror() {
    let mirror = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("mirror dir");
    // Packed layout: HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_TARGET.zip
    let pkg = mirror.path().join(SOURCE_DIR);
    std::fs::create_dir_all(&pkg).expect("mirror layout");
    let zip = asset("linux_amd64.zip");
    std::fs::copy(release_dir().join(&zip), pkg.join(&zip)).expect("copy the zip");
    let tf = Workdir::new(&plan_config());
    let cli = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{SOURCE_DIR}\"]\n  }}\n}}\n",
        mirror.path().display()
    );
    init_and_plan(&tf, &cli, &[]);
}

#[test]
fn init_installs_the_release_from_an_https_network_mirror() {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("mirror root");
    let pkg = root.path().join(SOURCE_DIR);
    std::fs::create_dir_all(&pkg).expect("mirror layout");
    let zip = asset("linux_amd64.zip");
    std::fs::copy(release_dir().join(&zip), pkg.join(&zip)).expect("copy the zip");
    let zip_sha = sha256_hex(std::fs::read(pkg.join(&zip)).expect("read the zip"));
    std::fs::write(
        pkg.join("index.json"),
        serde_json::json!({"versions": {VERSION: {}}}).to_string(),
    )
    .expect("index.json");
    let version_doc = |hashes: Vec<String>| {
        let doc = serde_json::json!({"archives": {"linux_amd64": {"url": zip, "hashes": hashes}}});
        std::fs::write(pkg.join(format!("{VERSION}.json")), doc.to_string()).expect("VERSION.json");
    };
    let server = HttpsMirror::start(root.path(), root.path());
    let cli = format!(
        "provider_installation {{\n  network_mirror {{\n    url = \"{}\"\n  }}\n}}\n",
        server.url()
    );
    let cert = server.cert_path().to_string_lossy().into_owned();
    let tf = Workdir::new(&plan_config());

    // A mirror whose hash does not match the archive is refused: Terraform checks what we list.
    version_doc(vec![h1_of_single_file(b"something else", "x")]);
    std::fs::write(tf.path().join("install.tfrc"), &cli).expect("CLI config");
    let refused = tf
        .cmd(&["init", "-input=false", "-no-color"])
        .env(
            "TF_CLI_CONFIG_FILE",
            &tf.path().join("install.tfrc").to_string_lossy(),
        )
        .env("SSL_CERT_FILE", &cert)
        .failure();
    assert!(refused.stderr.contains("checksum"), "{refused}");

    version_doc(vec![expected_h1(), format!("zh:{zip_sha}")]);
    init_and_plan(&tf, &cli, &[("SSL_CERT_FILE", &cert)]);
    let served = server.served();
    assert!(
        served.contains(&format!("200 /{SOURCE_DIR}/index.json"))
            && served.contains(&format!("200 /{SOURCE_DIR}/{zip}")),
        "terraform fetched the index and the archive from the mirror: {served:?}"
    );
}
