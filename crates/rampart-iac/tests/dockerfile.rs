use rampart_iac::dockerfile::{parse, Args, Dockerfile, Instruction, ARG_NO_DEFAULT};
use serde_json::json;

fn fixture(name: &str) -> Dockerfile {
    let path = format!(
        "{}/tests/fixtures/dockerfile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(&text)
}

fn named<'a>(d: &'a Dockerfile, name: &str) -> Vec<&'a Instruction> {
    d.instructions.iter().filter(|i| i.name == name).collect()
}

fn words(v: &[&str]) -> Args {
    Args::Words(v.iter().map(|s| s.to_string()).collect())
}

fn pairs(v: &[(&str, &str)]) -> Args {
    Args::Pairs(
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn multi_stage_build() {
    let d = fixture("multistage.Dockerfile");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    assert_eq!(d.stages.len(), 3);

    let builder = &d.stages[0];
    assert_eq!(builder.name.as_deref(), Some("builder"));
    assert_eq!(builder.image, "golang");
    assert_eq!(builder.tag.as_deref(), Some("1.22-alpine"));
    // BUILDPLATFORM is set by the builder, not by the file: left as written.
    assert_eq!(builder.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(builder.line, 4);

    let test = &d.stages[1];
    assert_eq!(test.name.as_deref(), Some("test"));
    assert_eq!(test.from_stage, Some(0));
    assert_eq!(test.image, "builder");
    assert_eq!(test.tag, None);

    let last = &d.stages[2];
    assert_eq!(last.image, "gcr.io/distroless/static-debian12");
    assert_eq!(last.tag.as_deref(), Some("nonroot"));
    assert_eq!(last.from_stage, None);

    // Global ARGs belong to no stage; the rest to theirs.
    let args = named(&d, "ARG");
    assert!(args.iter().all(|a| a.stage.is_none()));
    let copy = named(&d, "COPY");
    assert_eq!(copy[1].stage, Some(2));
    assert_eq!(copy[1].flag("from"), Some("builder"));
    assert_eq!(copy[1].flag("chown"), Some("65532:65532"));
    assert_eq!(copy[1].args, words(&["/out/app", "/app"]));

    let run = named(&d, "RUN")[0];
    assert_eq!((run.line, run.end_line), (7, 8));
    assert_eq!(
        run.flag_values("mount").collect::<Vec<_>>(),
        [
            "type=cache,target=/go/pkg/mod",
            "type=cache,target=/root/.cache/go-build"
        ]
    );
    assert_eq!(
        run.args,
        Args::Shell("go build -o /out/app ./cmd/app".into())
    );
    assert_eq!(
        named(&d, "ENTRYPOINT")[0].args,
        Args::Exec(vec!["/app".into()])
    );
    assert_eq!(
        d.comments[0],
        (1, "syntax=docker/dockerfile:1.7".to_string())
    );
}

#[test]
fn model_tree_for_policies() {
    let d = fixture("multistage.Dockerfile");
    let root = d.to_node();
    assert_eq!(root.field("global").items().len(), 2);
    let stages = root.field("stages").items();
    assert_eq!(stages.len(), 3);
    assert_eq!(stages[1].field("from_stage").as_f64(), Some(0.0));
    let first = stages[0].field("instructions").items();
    assert_eq!(first[0].field("cmd").as_str(), Some("FROM"));
    let run = first
        .iter()
        .find(|i| i.field("cmd").as_str() == Some("RUN"))
        .copied()
        .unwrap();
    assert_eq!(run.span.line, 7);
    assert_eq!(run.field("value").items()[0].span.line, 7);
    assert_eq!(run.path(&["flags", "mount"]).unwrap().items().len(), 2);
    let json = root.to_json();
    assert_eq!(json["stages"][2]["tag"], "nonroot");
    assert_eq!(
        json["stages"][2]["instructions"][1]["flags"]["from"],
        "builder"
    );
    assert_eq!(json["stages"][2]["instructions"][3]["json"], true);
    assert_eq!(json["global"][0]["pairs"]["GO_VERSION"], "1.22");
}

#[test]
fn conftest_input_shape() {
    let d = fixture("multistage.Dockerfile");
    let input = d.to_conftest_input();
    let cmds = input.as_array().unwrap();
    assert_eq!(
        cmds[0],
        json!({"Cmd": "comment", "SubCmd": "", "JSON": false, "Flags": null,
               "Value": ["syntax=docker/dockerfile:1.7"], "Stage": 0})
    );
    assert_eq!(
        cmds[1],
        json!({"Cmd": "arg", "SubCmd": "", "JSON": false, "Flags": [],
               "Value": ["GO_VERSION=1.22"], "Stage": 0})
    );
    assert_eq!(
        cmds[3],
        json!({"Cmd": "from", "SubCmd": "", "JSON": false,
               "Flags": ["--platform=$BUILDPLATFORM"],
               "Value": ["golang:${GO_VERSION}-alpine", "AS", "builder"], "Stage": 0})
    );
    let last = cmds.last().unwrap();
    assert_eq!(
        last,
        &json!({"Cmd": "entrypoint", "SubCmd": "", "JSON": true, "Flags": [],
                "Value": ["/app"], "Stage": 2})
    );
    // The comment before the last FROM counts in that FROM's stage.
    let comment = cmds
        .iter()
        .find(|c| c["Value"][0] == "the image that ships")
        .unwrap();
    assert_eq!(comment["Stage"], 2);

    let env = parse("FROM a\nENV A=\"x y\" B=1\nONBUILD RUN [\"make\"]\n").to_conftest_input();
    assert_eq!(env[1]["Value"], json!(["A", "\"x y\"", "B", "1"]));
    assert_eq!(env[2]["SubCmd"], "run");
    assert_eq!(env[2]["JSON"], true);
    assert_eq!(env[2]["Value"], json!(["make"]));
}

#[test]
fn continuations_drop_comments_and_empty_lines() {
    let d = fixture("continuations.Dockerfile");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    assert_eq!(d.instructions.len(), 3);
    let run = &d.instructions[1];
    assert_eq!((run.line, run.end_line), (2, 9));
    let Args::Shell(cmd) = &run.args else {
        panic!("{:?}", run.args)
    };
    assert!(!cmd.contains('#'));
    assert_eq!(
        cmd.split_whitespace().collect::<Vec<_>>().join(" "),
        "apt-get update && apt-get install -y curl git && rm -rf /var/lib/apt/lists/*"
    );
    assert_eq!(d.instructions[2].line, 10);
    assert_eq!(d.instructions[2].args, pairs(&[("maintainer", "ops")]));
}

#[test]
fn windows_escape_directive() {
    let d = fixture("windows.Dockerfile");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    assert_eq!(d.escape, '`');
    assert_eq!(d.instructions.len(), 4);
    assert_eq!(d.instructions[1].args, words(&["testfile.txt", "c:\\"]));
    assert_eq!(d.instructions[2].args, Args::Shell("dir c:\\".into()));
    let run = &d.instructions[3];
    assert_eq!((run.line, run.end_line), (6, 8));
    let Args::Shell(cmd) = &run.args else {
        panic!()
    };
    assert!(cmd.starts_with("powershell -Command "));
    assert!(cmd.ends_with("Write-Host \"C:\\path\\\""));
    assert!(!cmd.contains('`'));
    // A directive only counts at the top.
    let late = parse("FROM a\n# escape=`\nRUN x `\n");
    assert_eq!(late.escape, '\\');
    let bad = parse("# escape=x\nFROM a\n");
    assert_eq!(bad.escape, '\\');
    assert_eq!(bad.diagnostics.len(), 1);
    let twice = parse("# escape=`\n# escape=\\\nFROM a\n");
    assert_eq!(twice.escape, '`');
    assert_eq!(twice.diagnostics.len(), 1);
}

#[test]
fn heredocs() {
    let d = fixture("heredocs.Dockerfile");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    let names: Vec<&str> = d.instructions.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["FROM", "RUN", "RUN", "COPY", "RUN", "RUN"]);
    assert!(d.comments.is_empty());

    let run = &d.instructions[1];
    assert_eq!((run.line, run.end_line), (2, 6));
    assert_eq!(run.args, Args::Shell("<<EOF".into()));
    let h = &run.heredocs[0];
    assert_eq!(h.delimiter, "EOF");
    assert_eq!(h.line, 3);
    assert!(h.expand);
    assert_eq!(
        h.body,
        "apk add --no-cache curl\n# not a comment: part of the script\necho \"$HOME\"\n"
    );

    let chomped = &d.instructions[2];
    assert_eq!(chomped.heredocs[0].delimiter, "EOT");
    assert_eq!(chomped.heredocs[0].body, "echo indented\necho twice\n");
    assert_eq!(chomped.end_line, 10);

    let copy = &d.instructions[3];
    assert_eq!(copy.args, words(&["<<'CONF'", "/etc/app.conf"]));
    assert_eq!(copy.heredocs[0].delimiter, "CONF");
    assert!(!copy.heredocs[0].expand);
    assert_eq!(copy.heredocs[0].body, "value=$NOT_EXPANDED\n");

    let two = &d.instructions[4];
    assert_eq!(two.heredocs.len(), 2);
    assert_eq!(
        (
            two.heredocs[0].delimiter.as_str(),
            two.heredocs[0].body.as_str()
        ),
        ("A", "first\n")
    );
    assert_eq!(
        (
            two.heredocs[1].delimiter.as_str(),
            two.heredocs[1].body.as_str()
        ),
        ("B", "second\n")
    );
    assert_eq!((two.heredocs[0].line, two.heredocs[1].line), (15, 17));
    assert!(!two.heredocs[1].expand);
    assert_eq!(
        (d.instructions[5].line, d.instructions[5].end_line),
        (19, 19)
    );

    // Exec form and other instructions take no heredocs; ONBUILD passes them on.
    let d = parse("FROM a\nRUN [\"cat\", \"<<EOF\"]\nEOF\nONBUILD RUN <<X\nhi\nX\n");
    assert!(d.instructions[1].heredocs.is_empty());
    assert_eq!(d.instructions[2].name, "EOF");
    let onbuild = &d.instructions[3];
    assert_eq!(onbuild.end_line, 6);
    assert_eq!(onbuild.onbuild.as_ref().unwrap().heredocs[0].body, "hi\n");

    let open = parse("FROM a\nRUN <<EOF\necho never closed\n");
    assert_eq!(open.instructions.len(), 2);
    assert_eq!(open.instructions[1].heredocs[0].body, "echo never closed\n");
    assert_eq!(open.diagnostics.len(), 1);
}

#[test]
fn exec_shell_and_broken_json() {
    let d = fixture("forms.Dockerfile");
    let at = |line: u32| d.instructions.iter().find(|i| i.line == line).unwrap();
    assert_eq!(
        at(2).args,
        Args::Exec(vec!["nginx".into(), "-g".into(), "daemon off;".into()])
    );
    assert!(at(2).is_json());
    assert_eq!(at(3).args, Args::Shell("[\"/bin/sh\", \"-c\"".into()));
    assert!(!at(3).is_json());
    assert_eq!(at(4).args, Args::Shell("['single', 'quotes']".into()));
    assert!(matches!(&at(5).args, Args::Exec(v) if v.len() == 4));
    assert_eq!(at(6).args, Args::Shell("echo shell form".into()));
    assert_eq!(at(7).args, Args::Shell("[1, 2]".into()));
    assert_eq!(
        at(8).args,
        words(&["CMD", "curl", "-f", "http://localhost/"])
    );
    assert!(at(8).is_json());
    assert_eq!(at(8).flag("interval"), Some("30s"));
    assert_eq!(
        at(9).args,
        words(&["CMD", "curl -f http://localhost/ || exit 1"])
    );
    assert_eq!(
        at(10).flags[0],
        ("keep-git-dir".into(), Some("true".into()))
    );
    assert_eq!(at(10).flags[1], ("link".into(), None));
    assert!(at(11).flag("checksum").unwrap().starts_with("sha256:"));
    assert_eq!(at(12).args, words(&["SIGTERM"]));
    assert_eq!(at(13).args, words(&["/data", "/logs"]));
    assert!(at(13).is_json());
    assert_eq!(at(14).args, words(&["80/tcp", "443"]));
    // Only the array of numbers is an error; the unterminated array is plain shell form.
    assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
    assert_eq!(d.diagnostics[0].0, 7);

    let shell = parse("FROM a\nSHELL /bin/bash -c\n");
    assert_eq!(shell.diagnostics.len(), 1);
}

#[test]
fn env_label_and_arg_pairs() {
    let d = fixture("env.Dockerfile");
    let env = named(&d, "ENV");
    assert_eq!(env[0].args, pairs(&[("PATH", "/usr/local/bin:$PATH")]));
    assert_eq!(env[1].args, pairs(&[("GREETING", "hello world")]));
    assert_eq!(
        env[2].args,
        pairs(&[
            ("A", "1"),
            ("B", "two words"),
            ("C", "single $quoted"),
            ("D", "escaped space")
        ])
    );
    let label = named(&d, "LABEL")[0];
    assert_eq!(
        label.args,
        pairs(&[
            ("com.example.vendor", "ACME Inc"),
            ("version", "1.0"),
            ("description", "multi line")
        ])
    );
    assert_eq!((label.line, label.end_line), (5, 6));

    let args = named(&d, "ARG");
    assert_eq!(args[0].args, pairs(&[("VERSION", "")]));
    assert_eq!(
        args[0].flags,
        [(ARG_NO_DEFAULT.to_string(), Some("VERSION".to_string()))]
    );
    assert_eq!(args[1].args, pairs(&[("EMPTY", "")]));
    assert!(args[1].flags.is_empty());
    assert_eq!(args[2].args, pairs(&[("WITH_DEFAULT", "1.0")]));
    let node = args[0].to_node().to_json();
    assert_eq!(node["pairs"], json!({"VERSION": null}));
    assert_eq!(node["flags"], json!({}));

    // `ENV BROKEN=1 nope`: Docker rejects the line; the pair before is kept.
    assert_eq!(env[3].args, pairs(&[("BROKEN", "1")]));
    assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
    assert_eq!(d.diagnostics[0].0, 10);
}

#[test]
fn image_references() {
    let d = fixture("images.Dockerfile");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    let s: Vec<_> = d
        .stages
        .iter()
        .map(|s| (s.image.as_str(), s.tag.as_deref(), s.digest.as_deref()))
        .collect();
    assert_eq!(
        s[0],
        ("registry.example.com:5000/team/app", Some("1.4.2"), None)
    );
    assert_eq!(s[1], ("localhost:5000/base", None, None));
    assert_eq!(s[2].0, "docker.io/library/nginx");
    assert_eq!(s[2].1, None);
    assert!(s[2].2.unwrap().starts_with("sha256:0f3b"));
    assert_eq!(s[3], ("quay.io/org/tool", Some("v2"), Some("sha256:abcd")));
    assert_eq!(s[4], ("scratch", None, None));
    assert_eq!(d.stages[4].name, None);
    assert_eq!(d.stages[4].index, 4);
}

#[test]
fn from_resolves_global_args() {
    let d = fixture("argfrom.Dockerfile");
    let s = &d.stages;
    assert_eq!(s[0].image, "registry.internal:8443/python");
    assert_eq!(s[0].tag.as_deref(), Some("3.12-slim"));
    // No default: stays as written, tag unknown.
    assert_eq!(s[1].image, "${UNSET}:latest");
    assert_eq!(s[1].tag, None);
    assert_eq!(s[2].image, "ubuntu");
    assert_eq!(s[2].tag.as_deref(), Some("24.04"));
    // An ARG inside a stage is not visible to FROM.
    assert_eq!(s[3].image, "$LATE");
    assert_eq!(s[3].tag, None);
}

#[test]
fn lower_case_instructions() {
    let d = fixture("lowercase.Dockerfile");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    let names: Vec<&str> = d.instructions.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["FROM", "RUN", "COPY", "ONBUILD", "WORKDIR"]);
    assert_eq!(d.stages[0].name.as_deref(), Some("Base"));
    assert_eq!(d.stages[0].tag.as_deref(), Some("3.19"));
    let onbuild = &d.instructions[3];
    let inner = onbuild.onbuild.as_ref().unwrap();
    assert_eq!(inner.name, "RUN");
    assert_eq!(inner.args, Args::Shell("echo child".into()));
    assert_eq!(inner.stage, Some(0));
    assert_eq!(onbuild.args, words(&["run echo child"]));
    assert_eq!(d.instructions[4].args, words(&["/app"]));
    // Stage names are case-insensitive.
    let d = parse("FROM alpine AS Build\nFROM build\n");
    assert_eq!(d.stages[1].from_stage, Some(0));
}

#[test]
fn problems_become_diagnostics() {
    let empty = parse("");
    assert!(empty.instructions.is_empty() && empty.stages.is_empty());
    assert_eq!(
        empty.diagnostics,
        [(1, "file with no instructions".to_string())]
    );
    assert_eq!(
        parse("\u{feff}\n# only a comment\n\n").instructions.len(),
        0
    );

    let d = parse(
        "RUN early\nFROM a AS x\nFROM b AS X\nFROM c d\nCOPY --from=5 a b\nRUN --bogus x\n\
         ONBUILD ONBUILD RUN x\nONBUILD FROM y\nBOGUS thing\nWORKDIR\nCOPY --from a b\n",
    );
    let lines: Vec<u32> = d.diagnostics.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines,
        [1, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        "{:?}",
        d.diagnostics
    );
    assert_eq!(d.instructions.len(), 11);
}

#[test]
fn crlf_bom_and_odd_spacing() {
    let d = parse("\u{feff}FROM\talpine:3 AS  base\r\nRUN   echo a \\\r\n  b\r\n");
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    assert_eq!(d.stages[0].name.as_deref(), Some("base"));
    assert_eq!(d.instructions[1].args, Args::Shell("echo a   b".into()));
    assert_eq!(d.instructions[1].raw, "echo a   b");
}

#[test]
fn ten_megabytes_of_continuations_and_fifty_thousand_stages_parse() {
    let make = |bytes: usize| {
        let mut text = String::from("FROM alpine\nRUN echo start \\\n");
        let line = "    && echo some more words here \\\n    # a comment\n";
        while text.len() < bytes {
            text.push_str(line);
        }
        text.push_str("    && echo end\nENV A=1 \\\n");
        for _ in 0..(bytes / 40) {
            text.push_str("  K=\"v a l\" \\\n");
        }
        text.push_str("  LAST=1\n");
        text
    };
    let big = make(10 << 20);
    let d = parse(&big);
    assert_eq!(d.instructions.len(), 3);
    assert!(d.diagnostics.is_empty(), "{:?}", &d.diagnostics[..1]);

    // Many stages, heredocs and names: no per-stage scans of the earlier ones.
    let mut many = String::new();
    for i in 0..50_000usize {
        many.push_str(&format!(
            "FROM s{} AS s{i}\nRUN <<E\nx\nE\nCOPY --from=s{i} a b\n",
            i.saturating_sub(1)
        ));
    }
    let d = parse(&many);
    assert_eq!(d.stages.len(), 50_000);
    assert_eq!(d.stages[49_999].from_stage, Some(49_998));
}

/// xorshift64*, so that the test needs no dependency and is repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn exercise(d: &Dockerfile) {
    let _ = d.to_node().to_json();
    let _ = d.to_conftest_input();
    for i in &d.instructions {
        let _ = i.is_json();
        let _ = i.args_text();
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2_000 {
        let len = (rng.next() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        exercise(&parse(&String::from_utf8_lossy(&bytes)));
    }
    // Random sequences of the pieces the parser cares about.
    const PIECES: &[&str] = &[
        "FROM ",
        "from ",
        "RUN ",
        "ONBUILD ",
        "ENV ",
        "ARG ",
        "LABEL ",
        "COPY ",
        "HEALTHCHECK ",
        "CMD ",
        "SHELL ",
        "AS ",
        "--from=",
        "--mount=",
        "--",
        "\\",
        "`",
        "\n",
        "\r\n",
        " ",
        "\t",
        "#",
        "# escape=`\n",
        "# syntax=x\n",
        "<<EOF",
        "<<-EOF",
        "<<'EOF'",
        "EOF",
        "\tEOF",
        "[",
        "]",
        "\"",
        "'",
        "=",
        "${",
        "}",
        ":-",
        "$A",
        "@sha256:",
        ":",
        "/",
        "a",
        "é",
        "\u{feff}",
        "{",
        "\u{a0}",
        "0",
        "<<",
        "ARG A=${A:-${A",
        "NONE",
        "CMD",
    ];
    for _ in 0..5_000 {
        let n = (rng.next() % 60) as usize;
        let text: String = (0..n)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        exercise(&parse(&text));
    }
    // Deep nesting and long runs.
    for text in [
        format!("FROM a\nRUN {}", "[".repeat(100_000)),
        format!("ARG A={}\nFROM $A", "${A:-".repeat(10_000)),
        format!("FROM a\n{}RUN x", "ONBUILD ".repeat(10_000)),
        "\\\n".repeat(10_000),
        format!("FROM a\nRUN {}\n", "<<EOF ".repeat(10_000)),
    ] {
        exercise(&parse(&text));
    }
}
