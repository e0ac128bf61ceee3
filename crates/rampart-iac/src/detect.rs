//! Which kind of document a file holds: first from its path alone, cheaply, before reading it
//! ([`kind_of_path`]); then, for YAML and JSON files whose name says nothing, from the loaded
//! content ([`classify`]).

use crate::model::{Kind, Node, Value};

/// What a path says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Candidate {
    /// The name alone says what the file is.
    Kind(Kind),
    /// A YAML or JSON file that may be CloudFormation, a Terraform plan or Kubernetes
    /// manifests: load it and ask [`classify`].
    ByContent,
}

/// Large YAML and JSON files that are never infrastructure as code, skipped without reading.
const NEVER_IAC: [&str; 4] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "composer.json",
];

/// What the path of a file (relative to the scan root, with forward slashes) says it is;
/// `None` for files no loader reads (Terraform variable files are read by the Terraform
/// loader along with the `.tf` files of their directory, not on their own).
pub fn kind_of_path(path: &str) -> Option<Candidate> {
    let path = path.trim_start_matches("./");
    let (dir, name) = match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    };
    if name.is_empty() {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    let stem = lower
        .strip_suffix(".yml")
        .or_else(|| lower.strip_suffix(".yaml"))
        .unwrap_or(&lower);

    if yaml && (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) {
        return Some(Candidate::Kind(Kind::GithubWorkflow));
    }
    if yaml && stem == "action" {
        return Some(Candidate::Kind(Kind::GithubAction));
    }
    if yaml && (stem == ".gitlab-ci" || stem.ends_with(".gitlab-ci")) {
        return Some(Candidate::Kind(Kind::GitlabCi));
    }
    if is_dockerfile(&lower) {
        return Some(Candidate::Kind(Kind::Dockerfile));
    }
    if yaml
        && (stem.starts_with("docker-compose") || stem == "compose" || stem.starts_with("compose."))
    {
        return Some(Candidate::Kind(Kind::Compose));
    }
    if lower.ends_with(".tf") {
        return Some(Candidate::Kind(Kind::Terraform));
    }
    if lower.ends_with(".tfvars") || lower.ends_with(".tfvars.json") {
        return None;
    }
    if NEVER_IAC.contains(&lower.as_str()) {
        return None;
    }
    // Standard input without a name (`helm template . | rampart scan iac -`): by content.
    if path == "stdin" {
        return Some(Candidate::ByContent);
    }
    let by_content = yaml || lower.ends_with(".json") || lower.ends_with(".template");
    by_content.then_some(Candidate::ByContent)
}

fn is_dockerfile(lower: &str) -> bool {
    // `Dockerfile.<suffix>` names a variant (`Dockerfile.prod`), unless the suffix says the file
    // is something else: documentation, data or code about Dockerfiles.
    const NOT_DOCKERFILES: &[&str] = &[
        ".dockerignore",
        ".md",
        ".txt",
        ".orig",
        ".bak",
        ".swp",
        ".rst",
        ".adoc",
        ".html",
        ".toml",
        ".json",
        ".yaml",
        ".yml",
        ".xml",
        ".ini",
        ".cfg",
        ".lock",
        ".rego",
        ".rs",
        ".py",
        ".go",
        ".js",
        ".ts",
        ".java",
        ".rb",
        ".sh",
        ".ps1",
    ];
    if NOT_DOCKERFILES.iter().any(|ext| lower.ends_with(ext)) {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
            || lower
                .strip_suffix(base)
                .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1)
    })
}

/// The kind of a YAML or JSON document whose path did not say ([`Candidate::ByContent`]), from
/// its root; `None` when it is none of the kinds checked (an application's configuration, a
/// package manifest, a Helm values file).
pub fn classify(path: &str, root: &Node) -> Option<Kind> {
    let Value::Object(_) = root.value else {
        return None;
    };
    if is_cloudformation(root) {
        return Some(Kind::CloudFormation);
    }
    if path.to_ascii_lowercase().ends_with(".json") && is_terraform_plan(root) {
        return Some(Kind::TerraformPlan);
    }
    if is_kubernetes(root) {
        return Some(Kind::Kubernetes);
    }
    None
}

fn is_cloudformation(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let sam = root.get("Transform").is_some_and(|t| {
        t.items()
            .iter()
            .any(|t| t.as_str().is_some_and(|s| s.starts_with("AWS::Serverless")))
    });
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return false;
    };
    sam || resources.iter().any(|(_, resource)| {
        resource
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.starts_with("AWS::"))
    })
}

fn is_terraform_plan(root: &Node) -> bool {
    (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
        && (root.get("terraform_version").is_some() || root.get("format_version").is_some())
}

/// Files with `apiVersion` and `kind` that configure a tool rather than describe objects in a
/// cluster.
const NOT_CLUSTER_OBJECTS: [&str; 3] = ["kustomize.config.k8s.io/", "skaffold/", "backstage.io/"];

fn is_kubernetes(root: &Node) -> bool {
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let list = kind == "List" && root.get("items").and_then(Node::as_array).is_some();
    let Some(api_version) = root.get("apiVersion").and_then(Node::as_str) else {
        return list;
    };
    if kind.is_empty() || api_version.is_empty() {
        return false;
    }
    // A kubeconfig (`apiVersion: v1`, `kind: Config`) holds credentials, not cluster objects.
    if kind == "Config" && api_version == "v1" {
        return false;
    }
    !NOT_CLUSTER_OBJECTS
        .iter()
        .any(|prefix| api_version.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(kind: Kind) -> Option<Candidate> {
        Some(Candidate::Kind(kind))
    }

    #[test]
    fn paths() {
        let cases = [
            (".github/workflows/ci.yml", k(Kind::GithubWorkflow)),
            ("./.github/workflows/release.yaml", k(Kind::GithubWorkflow)),
            ("svc/.github/workflows/ci.yml", k(Kind::GithubWorkflow)),
            (".github/workflows/action.yml", k(Kind::GithubWorkflow)),
            (".github/workflows/README.md", None),
            (".github/workflows/sub/ci.yml", Some(Candidate::ByContent)),
            (".github/dependabot.yml", Some(Candidate::ByContent)),
            ("action.yml", k(Kind::GithubAction)),
            ("actions/setup/action.yaml", k(Kind::GithubAction)),
            ("myaction.yml", Some(Candidate::ByContent)),
            (".gitlab-ci.yml", k(Kind::GitlabCi)),
            ("ci/deploy.gitlab-ci.yml", k(Kind::GitlabCi)),
            ("Dockerfile", k(Kind::Dockerfile)),
            ("docker/Dockerfile.prod", k(Kind::Dockerfile)),
            ("api.Dockerfile", k(Kind::Dockerfile)),
            ("dockerfile", k(Kind::Dockerfile)),
            ("Containerfile", k(Kind::Dockerfile)),
            ("Dockerfile.dockerignore", None),
            ("Dockerfile.md", None),
            ("checks/dockerfile.toml", None),
            ("src/checks/dockerfile.rs", None),
            ("Dockerfiles/readme", None),
            ("docker-compose.yml", k(Kind::Compose)),
            ("docker-compose.override.yaml", k(Kind::Compose)),
            ("docker-compose-dev.yml", k(Kind::Compose)),
            ("compose.yaml", k(Kind::Compose)),
            ("deploy/compose.prod.yml", k(Kind::Compose)),
            ("composer.json", None),
            ("main.tf", k(Kind::Terraform)),
            ("modules/vpc/variables.tf", k(Kind::Terraform)),
            ("prod.tfvars", None),
            ("prod.auto.tfvars.json", None),
            ("template.yaml", Some(Candidate::ByContent)),
            ("stack.template", Some(Candidate::ByContent)),
            ("k8s/deploy.yml", Some(Candidate::ByContent)),
            ("plan.json", Some(Candidate::ByContent)),
            ("package-lock.json", None),
            ("web/pnpm-lock.yaml", None),
            ("main.go", None),
            ("README.md", None),
            ("src/", None),
        ];
        for (path, want) in cases {
            assert_eq!(kind_of_path(path), want, "{path}");
        }
    }
}
