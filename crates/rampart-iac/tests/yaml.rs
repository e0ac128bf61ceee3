use rampart_iac::detect::{classify, kind_of_path, Candidate};
use rampart_iac::model::{Kind, Node, Span, Value};
use rampart_iac::yaml::{load, LoadError};
use serde_json::json;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/yaml/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn one(text: &str) -> Node {
    let mut docs = load(text).unwrap();
    assert_eq!(docs.len(), 1, "{docs:?}");
    docs.remove(0)
}

fn classify_fixture(name: &str) -> Option<Kind> {
    let docs = load(&fixture(name)).unwrap();
    assert_eq!(kind_of_path(name), Some(Candidate::ByContent), "{name}");
    classify(name, &docs[0])
}

#[test]
fn spans_of_nested_values() {
    let doc = one(&fixture("deployment.yaml"));
    let containers = doc
        .path(&["spec", "template", "spec", "containers"])
        .unwrap();
    assert_eq!(containers.span.line, 12);
    let first = &containers.as_array().unwrap()[0];
    assert_eq!(first.span.line, 12);
    let privileged = first.path(&["securityContext", "privileged"]).unwrap();
    assert_eq!(privileged.value, Value::Bool(true));
    assert_eq!(
        privileged.span,
        Span {
            line: 15,
            column: 25,
            end_line: 15,
            end_column: 29
        }
    );
    assert_eq!(
        first.path(&["securityContext", "runAsUser"]).unwrap().value,
        Value::Number("0".into())
    );
    let sidecar_image = containers.as_array().unwrap()[1].field("image");
    assert_eq!(
        (sidecar_image.span.line, sidecar_image.span.column),
        (18, 18)
    );
    assert_eq!(sidecar_image.as_str(), Some("busybox"));
    let labels = doc.path(&["metadata", "labels"]).unwrap();
    assert_eq!((labels.span.line, labels.span.column), (6, 11));
    assert_eq!(labels.field("tier").span.column, 28);
    assert_eq!(doc.span.line, 2);
}

#[test]
fn multi_document_streams() {
    let docs = load(&fixture("stream.yaml")).unwrap();
    let kinds: Vec<_> = docs
        .iter()
        .map(|d| d.get("kind").and_then(Node::as_str))
        .collect();
    assert_eq!(kinds, [Some("Service"), None, Some("ConfigMap"), None]);
    assert!(docs[1].is_null() && docs[3].is_null());
    assert_eq!(docs[2].span.line, 9);
    assert_eq!(
        docs[2].path(&["data", "mode"]).unwrap().as_str(),
        Some("0644")
    );

    assert_eq!(load("").unwrap(), vec![]);
    assert_eq!(load("# only a comment\n").unwrap(), vec![]);
    assert_eq!(load("a: 1\n---\nb: 2\n").unwrap().len(), 2);
}

#[test]
fn anchors_and_merge_keys() {
    let doc = one(&fixture("compose-anchors.yaml"));
    assert_eq!(
        doc.field("services").to_json(),
        json!({
            "api": {
                "restart": "always",
                "environment": {"LOG_LEVEL": "info", "MODE": "dev"},
                "mem_limit": "512m",
                "image": "api:1"
            },
            "worker": {
                "restart": "on-failure",
                "environment": {"LOG_LEVEL": "info", "MODE": "prod"}
            }
        })
    );
    // Explicit keys win, and the overridden merged value is not kept as a duplicate.
    let worker = doc.path(&["services", "worker"]).unwrap();
    let restarts = worker
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k == "restart")
        .count();
    assert_eq!(restarts, 1);
    // Merged values keep the place they were written.
    let level = doc
        .path(&["services", "api", "environment", "LOG_LEVEL"])
        .unwrap();
    assert_eq!(level.span.line, 4);
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('b'..='z').collect();
    let mut prev = 'a';
    for &name in &names {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    // Refused by counting the nodes an expansion would make, before making them.
    let e = load(&bomb).unwrap_err();
    assert!(e.message.contains("100000"), "{e}");

    // Through merge keys too.
    let mut merge_bomb = String::from("a0: &a0 {k0: 1, k1: 2, k2: 3, k3: 4}\n");
    for i in 1..40 {
        merge_bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    merge_bomb.push_str("x:\n  <<: *a39\n");
    let e = load(&merge_bomb).unwrap_err();
    assert!(e.message.contains("100000"), "{e}");

    // Many uses of a small anchor are fine.
    let mut ok = String::from("base: &b {image: x}\nitems:\n");
    for _ in 0..1000 {
        ok.push_str("  - *b\n");
    }
    assert_eq!(one(&ok).field("items").as_array().unwrap().len(), 1000);
}

#[test]
fn deep_nesting_is_rejected() {
    let deep = format!("a: {}", "[".repeat(100_000));
    let e = load(&deep).unwrap_err();
    assert!(e.message.contains("256"), "{e}");
    let deep = format!("{}1{}", "{a: ".repeat(300), "}".repeat(300));
    assert!(load(&deep).unwrap_err().message.contains("256"));
    let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert!(load(&block).is_err());
    let fine = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    assert!(load(&fine).is_ok());
    // Aliases that nest a deep anchor deeper still.
    let anchor = format!("a: &a {}1{}\n", "[".repeat(200), "]".repeat(200));
    let text = format!("{anchor}b: {}*a{}\n", "[".repeat(100), "]".repeat(100));
    assert!(load(&text).unwrap_err().message.contains("256"));
}

#[test]
fn cloudformation_short_forms() {
    let doc = one(&fixture("cloudformation.yaml"));
    assert_eq!(
        doc.path(&["Conditions", "IsProd"]).unwrap().to_json(),
        json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
    );
    let props = doc.path(&["Resources", "Bucket", "Properties"]).unwrap();
    assert_eq!(
        props.field("BucketName").to_json(),
        json!({"Fn::Join": ["-", [
            {"Fn::Sub": "${AWS::StackName}-data"},
            {"Ref": "Env"},
            {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
        ]]})
    );
    assert_eq!(props.field("BucketName").span.line, 12);
    assert_eq!(
        props.field("Tags").to_json(),
        json!([
            {"Key": "arn", "Value": {"Fn::GetAtt": ["Role", "Arn"]}},
            {"Key": "out", "Value": {"Fn::GetAtt": ["Stack", "Outputs.Name"]}},
            {"Key": "sub", "Value": {"Fn::Sub": [
                "arn:${Partition}:s3:::${Name}",
                {"Name": {"Fn::ImportValue": "shared-name"}}
            ]}}
        ])
    );
    assert_eq!(
        props.field("AccessControl").to_json(),
        json!({"Fn::If": ["IsProd", "Private", {"Ref": "AWS::NoValue"}]})
    );
    assert_eq!(
        props.field("Policy").to_json(),
        json!({"Fn::Base64": "hello\n"})
    );
    assert_eq!(
        doc.path(&["Outputs", "Name"]).unwrap().to_json(),
        json!({
            "Condition": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Value": {"Fn::FindInMap": ["Map", {"Ref": "AWS::Region"}, "Name"]}
        })
    );
    // The inner value of a short form keeps its place.
    let arn = &props.field("Tags").as_array().unwrap()[0];
    let get_att = arn.field("Value");
    assert_eq!(get_att.span.line, 19);
    assert_eq!(get_att.field("Fn::GetAtt").span.line, 19);
    // `!Ref 123` is still a name.
    assert_eq!(one("a: !Ref 123\n").to_json(), json!({"a": {"Ref": "123"}}));
    assert_eq!(
        classify("cloudformation.yaml", &doc),
        Some(Kind::CloudFormation)
    );
}

#[test]
fn json_input() {
    let doc = one(&fixture("cloudformation.json"));
    let props = doc.path(&["Resources", "Bucket", "Properties"]).unwrap();
    assert_eq!(
        props.to_json(),
        json!({
            "BucketName": {"Fn::Join": ["-", [{"Ref": "Env"}, "data"]]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "Count": 3, "Enabled": true, "Nothing": null, "Path": "a/b\u{e9}"
        })
    );
    assert_eq!(props.field("Count").value, Value::Number("3".into()));
    assert_eq!(props.field("Enabled").span.line, 9);
    assert_eq!(props.field("VersioningConfiguration").span.line, 8);
    assert_eq!(
        classify("cloudformation.json", &doc),
        Some(Kind::CloudFormation)
    );
    assert_eq!(
        one("[1, \"2\", {\"a\":[]}]").to_json(),
        json!([1, "2", {"a": []}])
    );
    let e = load("{\"a\": [1, 2}\n").unwrap_err();
    assert_eq!(e.line, 1);
}

#[test]
fn scalar_typing() {
    let doc =
        one("a: yes\nb: \"true\"\nc: 0755\nd: on\ne: 0x1F\nf: .inf\ng: 1.0\nh: '12'\ni: TRUE\n");
    assert_eq!(doc.field("a").value, Value::String("yes".into()));
    assert_eq!(doc.field("b").value, Value::String("true".into()));
    assert_eq!(doc.field("c").value, Value::Number("0755".into()));
    assert_eq!(doc.field("d").value, Value::String("on".into()));
    assert_eq!(doc.field("e").value, Value::Number("0x1F".into()));
    assert_eq!(doc.field("f").value, Value::Number(".inf".into()));
    assert_eq!(doc.field("g").value, Value::Number("1.0".into()));
    assert_eq!(doc.field("h").value, Value::String("12".into()));
    assert_eq!(doc.field("i").value, Value::Bool(true));
}

#[test]
fn syntax_errors_have_lines() {
    let e = load(&fixture("broken.yaml")).unwrap_err();
    assert_eq!(e.line, 7, "{e}");
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    assert!(e.to_string().starts_with("line 7, column "), "{e}");

    let cases: [(&str, u32); 6] = [
        ("a:\n\tb: 1\n", 2),
        ("a: [1, 2\nb: 3\n", 2),
        ("a: 1\nb: *nope\n", 2),
        ("a: 1\nb: \"unterminated\n", 2),
        ("a: 1\nb: {c: 1\n", 3),
        ("a: 1\n  b: 2\n", 2),
    ];
    for (text, line) in cases {
        let e: LoadError = load(text).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
    }
}

#[test]
fn hostile_inputs_are_errors_not_panics() {
    let inputs = [
        "&",
        "*",
        "!",
        "? ",
        ": ",
        "- - - -",
        "{",
        "[",
        "]",
        "}",
        "'",
        "\"\\",
        "%YAML 1.2\n",
        "%TAG ! tag:x,2000:\n--- !a b\n",
        "--- &a\n--- *a\n",
        "a: &a\nb: *a\n",
        "<<: *x",
        "<<: [1]\n",
        "? - a\n  - b\n: c\n",
        "\u{feff}a: 1\n",
        "a: |\n b\n  c\n",
        "!!binary x",
        "---\n...\n...\n",
        "\t",
        "a:\n- b\n -c",
        "[a: b]",
        "{? a}",
        "x: !Ref",
        "x: !GetAtt",
        "x: !GetAtt []",
        "? !Ref a\n: b\n",
        "&a a: &b b\n*a : *b\n",
    ];
    for text in inputs {
        let _ = load(text);
    }
    assert_eq!(one("&a a: &b b\n*a : *b\n").to_json(), json!({"a": "b"}));
}

#[test]
fn long_files_load_in_linear_time() {
    let mut text = String::from("items:\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "  - {{name: item{i}, value: \"{i}\", on: true}}\n"
        ));
    }
    let long_line = format!("x: [{}]\n", vec!["1"; 200_000].join(", "));
    assert_eq!(one(&text).field("items").as_array().unwrap().len(), 100_000);
    assert_eq!(
        one(&long_line).field("x").as_array().unwrap().len(),
        200_000
    );
    let long_scalar = format!("x: {}\n", "a".repeat(2_000_000));
    assert_eq!(
        one(&long_scalar).field("x").as_str().map(str::len),
        Some(2_000_000)
    );
}

#[test]
fn classifies_by_content() {
    assert_eq!(classify_fixture("deployment.yaml"), Some(Kind::Kubernetes));
    assert_eq!(classify_fixture("list.yaml"), Some(Kind::Kubernetes));
    assert_eq!(classify_fixture("stream.yaml"), Some(Kind::Kubernetes));
    assert_eq!(classify_fixture("sam.yaml"), Some(Kind::CloudFormation));
    assert_eq!(classify_fixture("plan.json"), Some(Kind::TerraformPlan));
    assert_eq!(classify_fixture("values.yaml"), None);
    assert_eq!(classify_fixture("package.json"), None);
    assert_eq!(classify_fixture("tsconfig.json"), None);

    let classify_text = |path: &str, text: &str| classify(path, &one(text));
    // CloudFormation without the version key, from its resource types.
    assert_eq!(
        classify_text(
            "infra/stack.template",
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
        ),
        Some(Kind::CloudFormation)
    );
    assert_eq!(
        classify_text("x.yaml", "Resources:\n  Q:\n    Type: Custom::Thing\n"),
        None
    );
    assert_eq!(
        classify_text(
            "x.yaml",
            "Transform: [AWS::Serverless-2016-10-31]\nResources: {}\n"
        ),
        Some(Kind::CloudFormation)
    );
    // A Terraform plan needs both its shape and its version keys.
    assert_eq!(
        classify_text("plan.json", "{\"resource_changes\": []}"),
        None
    );
    assert_eq!(
        classify_text(
            "plan.json",
            "{\"terraform_version\": \"1.5.0\", \"resource_changes\": []}"
        ),
        Some(Kind::TerraformPlan)
    );
    // Kubernetes needs string apiVersion and kind.
    assert_eq!(
        classify_text("x.yaml", "apiVersion: v1\nkind: [Pod]\n"),
        None
    );
    assert_eq!(
        classify_text("Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n"),
        None
    );
    assert_eq!(
        classify_text(
            "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"
        ),
        None
    );
    assert_eq!(
        classify_text(
            "kubeconfig.yaml",
            "apiVersion: v1\nkind: Config\nclusters: []\n"
        ),
        None
    );
    assert_eq!(
        classify_text(
            ".pre-commit-config.yaml",
            "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.5.0\n    hooks:\n      - id: trailing-whitespace\n"
        ),
        None
    );
    assert_eq!(classify("x.yaml", &one("- apiVersion: v1\n")), None);
    assert_eq!(
        classify("x.yaml", &Node::new(Value::Null, Span::default())),
        None
    );
}
