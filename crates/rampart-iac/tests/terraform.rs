use rampart_iac::model::Node;
use rampart_iac::terraform::{decode_json_attribute, load_module, Module, Options};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(name)
}

fn load_with(name: &str, options: &Options) -> Module {
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    load_module(&fixture(name), &read, options)
}

fn load(name: &str) -> Module {
    load_with(name, &Options::default())
}

fn resource<'m>(m: &'m Module, address: &str) -> &'m rampart_iac::terraform::Resource {
    match m.resources.iter().find(|r| r.address == address) {
        Some(r) => r,
        None => panic!(
            "no {address} in {:?}",
            m.resources.iter().map(|r| &r.address).collect::<Vec<_>>()
        ),
    }
}

fn s<'n>(n: &'n Node, key: &str) -> Option<&'n str> {
    n.get(key).and_then(Node::as_str)
}

fn messages(m: &Module) -> Vec<(String, u32, String)> {
    m.diagnostics
        .iter()
        .map(|d| {
            let file = d
                .file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            (file, d.line, d.message.clone())
        })
        .collect()
}

#[test]
fn variables_take_defaults_then_tfvars_then_auto_tfvars_then_var_files() {
    let m = load("vars");
    let r = resource(&m, "null_resource.vars");
    assert_eq!(r.span.line, 1);
    assert!(r.file.ends_with("vars/main.tf"));
    assert_eq!(s(&r.body, "from_default"), Some("default"));
    assert_eq!(s(&r.body, "from_tfvars"), Some("tfvars"));
    assert_eq!(s(&r.body, "from_auto_a"), Some("a"));
    assert_eq!(s(&r.body, "from_auto_b"), Some("b"));
    assert_eq!(s(&r.body, "from_var_file"), Some("b"));
    assert_eq!(r.body.field("from_auto_b").span.line, 5);

    // A missing variable is unknown, and so is whatever uses it; one diagnostic for it.
    assert!(r.body.field("missing").is_unknown());
    assert!(r.body.field("uses_missing").is_unknown());
    assert_eq!(r.body.field("uses_missing").span.line, 8);
    assert_eq!(
        messages(&m),
        vec![(
            "variables.tf".to_string(),
            16,
            "variable \"missing\" has no value and no default".to_string()
        )]
    );

    let options = Options {
        var_files: vec![fixture("vars/extra.tfvars")],
        ..Options::default()
    };
    let m = load_with("vars", &options);
    let r = resource(&m, "null_resource.vars");
    assert_eq!(s(&r.body, "from_var_file"), Some("extra"));
    assert_eq!(s(&r.body, "from_auto_b"), Some("b"));
}

#[test]
fn every_file_is_read_through_the_callback() {
    let seen = std::cell::RefCell::new(Vec::new());
    let read = |p: &Path| {
        seen.borrow_mut().push(p.to_path_buf());
        std::fs::read_to_string(p).ok()
    };
    let options = Options {
        var_files: vec![fixture("vars/extra.tfvars")],
        ..Options::default()
    };
    load_module(&fixture("vars"), &read, &options);
    let mut names: Vec<String> = seen
        .borrow()
        .iter()
        .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "a.auto.tfvars",
            "b.auto.tfvars",
            "extra.tfvars",
            "main.tf",
            "terraform.tfvars",
            "variables.tf"
        ]
    );
}

#[test]
fn locals_interpolation_operators_and_functions_evaluate() {
    let m = load("eval");
    let b = resource(&m, "aws_s3_bucket.b");
    assert_eq!(b.span.line, 19);
    assert_eq!(s(&b.body, "bucket"), Some("app-prod"));
    assert_eq!(b.body.field("bucket").span.line, 20);
    assert_eq!(
        b.body.field("tags").to_json(),
        serde_json::json!({"Team": "sec", "Env": "prod", "Owner": "ops"})
    );
    assert_eq!(b.body.field("tags").span.line, 21);
    assert_eq!(b.body.field("arith").as_f64(), Some(7.0));
    assert_eq!(s(&b.body, "cond"), Some("many"));
    assert_eq!(s(&b.body, "region"), Some("eu-west-1"));
    assert_eq!(s(&b.body, "fmt"), Some("prod-7"));
    assert_eq!(
        b.body.field("parts").to_json(),
        serde_json::json!(["a", "b"])
    );
    assert_eq!(
        b.body.field("upper").to_json(),
        serde_json::json!([160, 886])
    );
    assert_eq!(
        b.body.field("byport").to_json(),
        serde_json::json!({"22": false, "80": false, "443": true})
    );
    assert_eq!(b.body.field("splat").to_json(), serde_json::json!([1, 2]));
    assert_eq!(s(&b.body, "tried"), Some("fallback"));
    // Another resource's attribute set in its configuration is its value.
    assert_eq!(s(&b.body, "desc"), Some("key for APP-prod"));
    assert_eq!(
        s(&resource(&m, "aws_kms_key.k").body, "description"),
        Some("key for APP-prod")
    );
}

#[test]
fn nested_blocks_are_arrays_of_objects() {
    let m = load("eval");
    let b = resource(&m, "aws_s3_bucket.b");
    let ingress = b.body.field("ingress").as_array().unwrap_or_default();
    assert_eq!(ingress.len(), 2);
    assert_eq!(ingress[0].field("from_port").as_f64(), Some(22.0));
    assert_eq!(ingress[1].span.line, 44);
    assert_eq!(ingress[1].field("from_port").span.line, 45);
    let sse = b.body.field("server_side_encryption_configuration");
    assert_eq!(sse.as_array().map(<[Node]>::len), Some(1));
    let by_default = &sse.items()[0].field("rule").items()[0]
        .field("apply_server_side_encryption_by_default")
        .items()[0];
    assert_eq!(s(by_default, "sse_algorithm"), Some("aws:kms"));
    assert_eq!(by_default.span.line, 35);
}

#[test]
fn references_to_values_known_after_apply_are_unknown() {
    let m = load("eval");
    let b = resource(&m, "aws_s3_bucket.b");
    let key = b
        .body
        .path(&["server_side_encryption_configuration"])
        .and_then(|n| n.items().first().and_then(|n| n.get("rule")))
        .and_then(|n| {
            n.items()
                .first()
                .and_then(|n| n.get("apply_server_side_encryption_by_default"))
        })
        .and_then(|n| n.items().first().and_then(|n| n.get("kms_master_key_id")));
    let key = key.map(|k| (k.is_unknown(), k.span.line));
    assert_eq!(key, Some((true, 37)));
    // A JSON document with a part known only at apply keeps its structure: its known parts
    // can be read, the unknown one stays unknown.
    let p = resource(&m, "aws_iam_policy.p");
    let doc = decode_json_attribute(p.body.field("unknown_json")).expect("structure");
    assert!(doc.field("Key").is_unknown());
    assert_eq!(doc.span.line, 62);
}

#[test]
fn plans_mark_what_is_known_only_after_apply() {
    let plan = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_ebs_volume.a", "mode": "managed", "type": "aws_ebs_volume", "name": "a",
     "values": {"size": 10, "tags": {"Name": "a"}, "ebs_block": [{"x": 1}]}}
  ]}},
  "resource_changes": [
    {"address": "aws_ebs_volume.a", "change": {"after_unknown":
      {"encrypted": true, "tags": {"Owner": true}, "ebs_block": [{"y": true}], "size": false}}}
  ]
}"#;
    let (docs, problems) = rampart_iac::scanner::load_documents("tfplan.json", plan);
    assert!(problems.is_empty(), "{problems:?}");
    let config = docs[0].root.field("config");
    assert!(config.field("encrypted").is_unknown());
    assert!(config
        .path(&["tags", "Owner"])
        .is_some_and(Node::is_unknown));
    assert_eq!(
        config.path(&["tags", "Name"]).and_then(Node::as_str),
        Some("a")
    );
    let block = config.field("ebs_block").items()[0];
    assert!(block.field("y").is_unknown());
    assert_eq!(block.field("x").as_f64(), Some(1.0));
    assert_eq!(config.field("size").as_f64(), Some(10.0));
}

#[test]
fn local_cycles_are_unknown_with_one_diagnostic() {
    let m = load("eval");
    let b = resource(&m, "aws_s3_bucket.b");
    assert!(b.body.field("cycle").is_unknown());
    assert_eq!(
        messages(&m),
        vec![(
            "main.tf".to_string(),
            7,
            "local.loop_a: reference cycle".to_string()
        )]
    );
}

#[test]
fn json_policies_decode_with_the_attribute_line() {
    let m = load("eval");
    let p = resource(&m, "aws_iam_policy.p");
    assert_eq!(s(&p.body, "name"), Some("APP-prod-policy"));
    let policy = decode_json_attribute(p.body.field("policy"));
    let Some(policy) = policy else {
        panic!("policy is not JSON: {:?}", p.body.field("policy"));
    };
    assert_eq!(policy.span.line, 51);
    assert_eq!(s(&policy, "Version"), Some("2012-10-17"));
    let statement = &policy.field("Statement").items()[0];
    assert_eq!(s(statement, "Effect"), Some("Allow"));
    assert_eq!(
        statement.field("Action").items()[0].as_str(),
        Some("s3:GetObject")
    );
    assert_eq!(statement.span.line, 51);

    let heredoc = decode_json_attribute(p.body.field("heredoc"));
    let effect = heredoc
        .as_ref()
        .and_then(|h| {
            h.field("Statement")
                .items()
                .first()
                .and_then(|s| s.get("Effect"))
        })
        .map(|e| (e.as_str().map(str::to_string), e.span.line));
    assert_eq!(effect, Some((Some("Deny".to_string()), 59)));
    assert!(decode_json_attribute(p.body.field("name")).is_none());
}

#[test]
fn count_and_for_each_expand_into_instances() {
    let m = load("expand");
    let addresses: Vec<&str> = m.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aws_s3_bucket.counted[0]",
            "aws_s3_bucket.counted[1]",
            "aws_s3_bucket.each_set[\"alpha\"]",
            "aws_s3_bucket.each_set[\"beta\"]",
            "aws_s3_bucket.each_map[\"a\"]",
            "aws_s3_bucket.each_map[\"b\"]",
            "aws_s3_bucket.unknown_count",
            "aws_security_group.dyn",
        ]
    );
    assert_eq!(
        s(&resource(&m, "aws_s3_bucket.counted[1]").body, "bucket"),
        Some("bucket-1")
    );
    assert_eq!(resource(&m, "aws_s3_bucket.counted[1]").span.line, 5);
    assert_eq!(
        s(
            &resource(&m, "aws_s3_bucket.each_set[\"beta\"]").body,
            "bucket"
        ),
        Some("beta-beta")
    );
    assert_eq!(
        s(
            &resource(&m, "aws_s3_bucket.each_map[\"b\"]").body,
            "bucket"
        ),
        Some("y")
    );
    let unknown = resource(&m, "aws_s3_bucket.unknown_count");
    assert!(unknown.body.field("bucket").is_unknown());
    assert!(unknown.body.get("count").is_none());
    assert_eq!(
        messages(&m),
        vec![(
            "main.tf".to_string(),
            25,
            "count is not known from the configuration: not expanded".to_string()
        )]
    );
    let dyn_ingress = resource(&m, "aws_security_group.dyn")
        .body
        .field("ingress")
        .to_json();
    assert_eq!(
        dyn_ingress,
        serde_json::json!([{"from_port": 22}, {"from_port": 443}])
    );
}

#[test]
fn local_modules_are_followed_with_their_inputs() {
    let m = load("modules");
    assert_eq!(m.resources.len(), 1);
    let r = resource(&m, "module.app.aws_s3_bucket.this");
    assert!(r.file.ends_with("modules/app/main.tf"));
    assert_eq!(r.span.line, 7);
    assert_eq!(s(&r.body, "bucket"), Some("data-bucket"));
    assert_eq!(r.body.field("bucket").span.line, 8);
    assert_eq!(s(&r.body, "acl"), Some("private"));
    assert_eq!(
        s(&r.body, "path"),
        Some(&*fixture("modules/app").to_string_lossy())
    );
    assert_eq!(
        messages(&m),
        vec![
            (
                "main.tf".to_string(),
                10,
                "module \"remote\": remote source \"terraform-aws-modules/s3-bucket/aws\" is not followed".to_string()
            ),
            (
                "main.tf".to_string(),
                13,
                "module \"back\" is not followed: it calls itself (module cycle)".to_string()
            ),
        ]
    );
    let shallow = Options {
        max_module_depth: 0,
        ..Options::default()
    };
    let m = load_with("modules", &shallow);
    assert!(m.resources.is_empty());
    assert!(m
        .diagnostics
        .iter()
        .any(|d| d.line == 5 && d.message.contains("levels of modules")));
}

#[test]
fn a_syntax_error_leaves_the_other_files_loaded() {
    let m = load("syntax");
    assert_eq!(m.resources.len(), 1);
    assert_eq!(resource(&m, "aws_s3_bucket.good").span.line, 1);
    let d = messages(&m);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].0.as_str(), d[0].1), ("bad.tf", 3));
    assert!(d[0].2.starts_with("syntax error"));
}

fn load_text(files: &[(&str, String)]) -> Module {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    load_module(dir.path(), &read, &Options::default())
}

#[test]
fn hostile_input_gives_diagnostics_not_panics() {
    let deep = format!(
        "locals {{\n  a = {}1{}\n}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let long = format!("locals {{\n  b = (1{}\n  )\n}}\n", " +\n 1".repeat(3000));
    let mut chain = String::from("locals {\n");
    for i in 0..500 {
        chain.push_str(&format!("  l{i} = [local.l{}]\n", i + 1));
    }
    chain.push_str("  l500 = 1\n}\nresource \"x\" \"y\" {\n  v = local.l0\n}\n");
    let m = load_text(&[
        ("deep.tf", deep),
        ("long.tf", long),
        ("chain.tf", chain),
        ("bad.tf", "resource \"a\" {{{{\n\u{0}\"".to_string()),
        ("funcs.tf", "resource \"f\" \"g\" {\n  a = element([], 0)\n  b = 1 / 0\n  c = format(\"%\")\n  d = jsondecode(\"{\")\n  e = cidrsubnet(\"10.0.0.0/16\", 8, 1)\n  f = [1][5]\n}\n".to_string()),
    ]);
    let messages = messages(&m);
    assert!(
        messages.iter().any(|(f, l, _)| f == "deep.tf" && *l == 2),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|(f, _, _)| f == "bad.tf"),
        "{messages:?}"
    );
    let g = resource(&m, "f.g");
    for key in ["a", "b", "c", "d", "e", "f"] {
        assert!(g.body.field(key).is_unknown(), "{key}");
    }
    assert!(!g.body.field("e").to_json().to_string().contains("error"));
    let y = resource(&m, "x.y");
    assert_eq!(y.body.field("v").span.line, 505);
    assert!(
        messages.iter().any(|(f, _, _)| f == "long.tf"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(f, _, m)| f == "chain.tf" && m.contains("too deeply")),
        "{messages:?}"
    );
}
