//! AWS identity and keys: IAM policies, roles and their trust, KMS and secrets. Each check
//! reads Terraform and CloudFormation alike: its `tf_` function the one, its `cfn_` function
//! the other.
//!
//! IAM policy documents are read into one statement view ([`Statement`]) whatever wrote them:
//! Terraform `jsonencode`/heredoc JSON, `aws_iam_policy_document` data sources and
//! CloudFormation policy documents, so each IAM check is written once.

use super::super::cloudformation::{decided, is_intrinsic, push, resources, Resource};
use super::super::terraform::resource;
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Kind, Node, Value};
use crate::terraform::decode_json_attribute;

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.iam-full-admin-policy", tf_iam_full_admin),
    ("iac.aws.iam-full-admin-policy", cfn_iam_full_admin),
    ("iac.aws.iam-role-trusts-anyone", tf_iam_trusts_anyone),
    ("iac.aws.iam-role-trusts-anyone", cfn_iam_trusts_anyone),
    ("iac.aws.iam-wildcard-action", tf_iam_wildcard_action),
    ("iac.aws.iam-wildcard-action", cfn_iam_wildcard_action),
    ("iac.aws.iam-privilege-escalation", tf_iam_privesc),
    ("iac.aws.iam-privilege-escalation", cfn_iam_privesc),
    ("iac.aws.iam-passrole-any-role", tf_iam_passrole),
    ("iac.aws.iam-passrole-any-role", cfn_iam_passrole),
    ("iac.aws.iam-assume-any-role", tf_iam_assume_any),
    ("iac.aws.iam-assume-any-role", cfn_iam_assume_any),
    ("iac.aws.iam-resource-exposure", tf_iam_exposure),
    ("iac.aws.iam-resource-exposure", cfn_iam_exposure),
    ("iac.aws.iam-data-read-any-resource", tf_iam_data_read),
    ("iac.aws.iam-data-read-any-resource", cfn_iam_data_read),
    ("iac.aws.iam-allow-not-action", tf_iam_not_action),
    ("iac.aws.iam-allow-not-action", cfn_iam_not_action),
    ("iac.aws.iam-oidc-trust-unscoped", tf_iam_oidc_unscoped),
    ("iac.aws.iam-oidc-trust-unscoped", cfn_iam_oidc_unscoped),
    (
        "iac.aws.iam-account-trust-no-condition",
        tf_iam_account_trust,
    ),
    (
        "iac.aws.iam-account-trust-no-condition",
        cfn_iam_account_trust,
    ),
    ("iac.aws.kms-key-policy-public", tf_kms_policy_public),
    ("iac.aws.kms-key-policy-public", cfn_kms_policy_public),
    (
        "iac.aws.secretsmanager-policy-public",
        tf_secret_policy_public,
    ),
    (
        "iac.aws.secretsmanager-policy-public",
        cfn_secret_policy_public,
    ),
    (
        "iac.aws.ssm-parameter-secret-plaintext",
        tf_ssm_secret_plaintext,
    ),
    (
        "iac.aws.ssm-parameter-secret-plaintext",
        cfn_ssm_secret_plaintext,
    ),
    ("iac.aws.iam-user-direct-policy", tf_user_direct_policy),
    ("iac.aws.iam-user-direct-policy", cfn_user_direct_policy),
    ("iac.aws.iam-user-access-key", tf_user_access_key),
    ("iac.aws.iam-user-access-key", cfn_user_access_key),
    ("iac.aws.iam-user-login-profile", tf_user_login_profile),
    ("iac.aws.iam-user-login-profile", cfn_user_login_profile),
    ("iac.aws.iam-admin-policy-attached", tf_admin_attached),
    ("iac.aws.iam-admin-policy-attached", cfn_admin_attached),
    ("iac.aws.iam-password-min-length", tf_password_length),
    ("iac.aws.iam-password-reuse", tf_password_reuse),
    ("iac.aws.iam-password-complexity", tf_password_complexity),
    ("iac.aws.iam-password-max-age", tf_password_max_age),
    ("iac.aws.kms-key-rotation-off", tf_kms_rotation),
    ("iac.aws.kms-key-rotation-off", cfn_kms_rotation),
    ("iac.aws.secretsmanager-secret-no-cmk", tf_secret_no_cmk),
    ("iac.aws.secretsmanager-secret-no-cmk", cfn_secret_no_cmk),
    ("iac.aws.lambda-permission-public", tf_lambda_public),
    ("iac.aws.lambda-permission-public", cfn_lambda_public),
    (
        "iac.aws.lambda-permission-service-unscoped",
        tf_lambda_service,
    ),
    (
        "iac.aws.lambda-permission-service-unscoped",
        cfn_lambda_service,
    ),
];

// ---------------------------------------------------------------------------------------------
// The statement view

/// Which language a check function reads: a check registers one function for each, and
/// each reads only documents of its own language.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Terraform,
    CloudFormation,
}

/// What a policy document is for, which decides the checks that read its statements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Attached to a user, group or role: says what they may do.
    Identity,
    /// A role's trust policy: says who may assume it.
    Trust,
    /// A KMS key policy.
    KeyPolicy,
    /// A Secrets Manager secret's resource policy.
    SecretPolicy,
    /// An `aws_iam_policy_document` data source: statements with principals are
    /// resource-based (trust, key or other resource policies), the others identity-based.
    Unknown,
}

/// Where a policy document was written: the resource and the document's name in it.
struct Source {
    owner: String,
    name: String,
    usage: Use,
}

impl Source {
    fn label(&self) -> String {
        format!("{} ({})", self.owner, self.name)
    }
}

/// A list-valued statement element (`Action`, `Resource`, `AWS` principals, condition
/// values): its node and its decided string items.
#[derive(Default)]
struct Values<'a> {
    node: Option<&'a Node>,
    items: Vec<(&'a Node, &'a str)>,
    /// Some of it (or all of it) is not decided by the files.
    partial: bool,
}

impl<'a> Values<'a> {
    fn read(node: Option<&'a Node>) -> Values<'a> {
        // Absent, null and empty (as plans write unset lists) all mean not written.
        let Some(node) =
            node.filter(|n| !n.is_null() && n.as_array().is_none_or(|a| !a.is_empty()))
        else {
            return Values::default();
        };
        let mut out = Values {
            node: Some(node),
            ..Values::default()
        };
        match decided(node) {
            None => out.partial = true,
            Some(list) => {
                for item in list.items() {
                    match decided(item).and_then(|i| text(i).map(|s| (i, s.trim()))) {
                        Some(pair) => out.items.push(pair),
                        None => out.partial = true,
                    }
                }
            }
        }
        out
    }

    fn written(&self) -> bool {
        self.node.is_some()
    }

    /// The item that is decidedly `*`.
    fn star(&self) -> Option<&'a Node> {
        self.items.iter().find(|(_, s)| *s == "*").map(|(n, _)| *n)
    }
}

/// The text of a string or number (account ids are often written unquoted in YAML).
fn text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s),
        _ => None,
    }
}

/// The template of a CloudFormation `Fn::Sub`, whose literal parts are decided.
fn sub_template(node: &Node) -> Option<&str> {
    let sub = node.get("Fn::Sub").filter(|_| is_intrinsic(node))?;
    sub.as_str().or_else(|| sub.as_array()?.first()?.as_str())
}

/// One condition of a statement: its operator (`StringEquals`), key and values.
struct Cond<'a> {
    test: String,
    key: String,
    values: Values<'a>,
}

/// One IAM policy statement, from either language.
struct Statement<'a> {
    sid: String,
    /// `Effect` is `Allow` (statements whose effect is not decided are left out).
    allow: bool,
    actions: Values<'a>,
    not_actions: Values<'a>,
    resources: Values<'a>,
    not_resources: Values<'a>,
    /// Principals by type (`AWS`, `Service`, `Federated`, `CanonicalUser`); `Principal: "*"`
    /// reads as `AWS: "*"`.
    principals: Vec<(String, Values<'a>)>,
    /// The statement names principals (`Principal` or `NotPrincipal`): a resource-based
    /// policy statement.
    has_principal: bool,
    /// `None` when the conditions are not decided; empty when there are none.
    conditions: Option<Vec<Cond<'a>>>,
}

impl<'a> Statement<'a> {
    /// Has decidedly no condition.
    fn unconditional(&self) -> bool {
        self.conditions.as_ref().is_some_and(Vec::is_empty)
    }

    /// The principals of a type.
    fn principal(&self, kind: &str) -> Option<&Values<'a>> {
        self.principals
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind))
            .map(|(_, v)| v)
    }

    /// The decided `AWS: "*"` principal (anyone).
    fn anyone(&self) -> Option<&'a Node> {
        self.principal("AWS").and_then(Values::star)
    }

    /// Some action pattern grants `action`.
    fn grants(&self, action: &str) -> bool {
        self.actions.items.iter().any(|(_, a)| glob(a, action))
    }
}

/// IAM's wildcard matching (`*` any run, `?` one character), case-insensitive as action
/// names are.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                back = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match back {
                Some((bp, bt)) => {
                    pi = bp + 1;
                    ti = bt + 1;
                    back = Some((bp, bt + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|c| *c == '*')
}

/// `service:*`: every action of one service.
fn service_wildcard(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(svc, rest)| rest == "*" && !svc.is_empty() && !svc.contains('*'))
}

fn json_values<'a>(node: &'a Node, key: &str) -> Values<'a> {
    Values::read(node.get(key))
}

/// The statements of a policy document written as JSON (CloudFormation, or decoded from a
/// Terraform string).
fn json_statements(policy: &Node) -> Vec<Statement<'_>> {
    let Some(policy) = decided(policy) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, s) in policy.field("Statement").items().into_iter().enumerate() {
        let Some(s) = decided(s) else { continue };
        let Some(effect) = s.get("Effect").and_then(decided).and_then(Node::as_str) else {
            continue;
        };
        let sid = s
            .get("Sid")
            .and_then(Node::as_str)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| i.to_string());
        let mut principals = Vec::new();
        if let Some(p) = s.get("Principal").and_then(decided) {
            if p.as_str().is_some() {
                principals.push(("AWS".to_string(), Values::read(Some(p))));
            } else if let Some(entries) = p.as_object() {
                for (k, v) in entries {
                    principals.push((k.clone(), Values::read(Some(v))));
                }
            }
        }
        let conditions = match s.get("Condition") {
            None => Some(Vec::new()),
            Some(c) => json_conditions(c),
        };
        out.push(Statement {
            sid,
            allow: effect == "Allow",
            actions: json_values(s, "Action"),
            not_actions: json_values(s, "NotAction"),
            resources: json_values(s, "Resource"),
            not_resources: json_values(s, "NotResource"),
            principals,
            has_principal: s.get("Principal").is_some() || s.get("NotPrincipal").is_some(),
            conditions,
        });
    }
    out
}

fn json_conditions(node: &Node) -> Option<Vec<Cond<'_>>> {
    let mut out = Vec::new();
    for (test, keys) in decided(node)?.as_object()? {
        for (key, values) in decided(keys)?.as_object()? {
            out.push(Cond {
                test: test.clone(),
                key: key.clone(),
                values: Values::read(Some(values)),
            });
        }
    }
    Some(out)
}

/// The statements of an `aws_iam_policy_document` data source.
fn tf_statements(config: &Node) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    for (i, s) in config.field("statement").items().into_iter().enumerate() {
        let Some(s) = s.known() else { continue };
        let allow = match attr(s, "effect") {
            None => true,
            Some(e) => match e.known().and_then(Node::as_str) {
                Some(e) => e == "Allow",
                None => continue,
            },
        };
        let sid = s
            .get("sid")
            .and_then(Node::as_str)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| i.to_string());
        let mut principals: Vec<(String, Values)> = Vec::new();
        let mut principals_known = true;
        for p in s.field("principals").items() {
            match attr(p, "type").and_then(Node::known).and_then(Node::as_str) {
                Some(kind) => {
                    let kind = if kind == "*" { "AWS" } else { kind };
                    principals.push((kind.to_string(), Values::read(attr(p, "identifiers"))));
                }
                None => principals_known = false,
            }
        }
        if !principals_known {
            principals.push(("?".to_string(), Values::default()));
        }
        let conditions = s
            .field("condition")
            .items()
            .into_iter()
            .map(|c| {
                let test = attr(c, "test")?.known()?.as_str()?;
                let key = attr(c, "variable")?.known()?.as_str()?;
                Some(Cond {
                    test: test.to_string(),
                    key: key.to_string(),
                    values: Values::read(attr(c, "values")),
                })
            })
            .collect::<Option<Vec<_>>>();
        out.push(Statement {
            sid,
            allow,
            actions: Values::read(attr(s, "actions")),
            not_actions: Values::read(attr(s, "not_actions")),
            resources: Values::read(attr(s, "resources")),
            not_resources: Values::read(attr(s, "not_resources")),
            principals,
            has_principal: !s.field("principals").items().is_empty()
                || !s.field("not_principals").items().is_empty(),
            conditions,
        });
    }
    out
}

/// A Terraform attribute, `None` when absent or null (plans write every attribute, the
/// ones not set as null).
fn attr<'a>(config: &'a Node, key: &str) -> Option<&'a Node> {
    config.get(key).filter(|v| !v.is_null())
}

type PolicyFn<'f> = dyn FnMut(&Source, &[Statement]) + 'f;

/// Calls `f` with every policy document the document's resource carries, in the language
/// asked for.
fn each_policy(doc: &Document, lang: Lang, f: &mut PolicyFn) {
    match lang {
        Lang::Terraform => tf_policies(doc, f),
        Lang::CloudFormation => cfn_policies(doc, f),
    }
}

fn run_json(source: &Source, node: &Node, f: &mut PolicyFn) {
    if node.as_str().is_some() {
        if let Some(json) = decode_json_attribute(node) {
            f(source, &json_statements(&json));
        }
    } else {
        f(source, &json_statements(node));
    }
}

const TF_POLICY_TYPES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_kms_external_key",
    "aws_kms_replica_external_key",
    "aws_kms_key_policy",
    "aws_ssoadmin_permission_set_inline_policy",
    "aws_secretsmanager_secret",
    "aws_secretsmanager_secret_policy",
];

fn tf_policies(doc: &Document, f: &mut PolicyFn) {
    if !matches!(doc.kind, Kind::Terraform | Kind::TerraformPlan) {
        return;
    }
    if let Some((addr, config)) = resource(doc, TF_POLICY_TYPES) {
        let kind = doc.root.field("type").as_str().unwrap_or_default();
        let mut found: Vec<(String, Use, &Node)> = Vec::new();
        if kind == "aws_iam_role" {
            if let Some(p) = attr(config, "assume_role_policy") {
                found.push(("assume_role_policy".into(), Use::Trust, p));
            }
            for (i, inline) in config
                .field("inline_policy")
                .items()
                .into_iter()
                .enumerate()
            {
                let name = inline
                    .get("name")
                    .and_then(Node::as_str)
                    .map(|n| format!("inline_policy {n}"))
                    .unwrap_or_else(|| format!("inline_policy[{i}]"));
                if let Some(p) = attr(inline, "policy") {
                    found.push((name, Use::Identity, p));
                }
            }
        } else if let Some(p) =
            attr(config, "inline_policy").filter(|_| kind.starts_with("aws_ssoadmin"))
        {
            found.push(("inline_policy".into(), Use::Identity, p));
        } else if let Some(p) = attr(config, "policy") {
            let usage = if kind.starts_with("aws_kms") {
                Use::KeyPolicy
            } else if kind.starts_with("aws_secretsmanager") {
                Use::SecretPolicy
            } else {
                Use::Identity
            };
            found.push(("policy".into(), usage, p));
        }
        for (name, usage, node) in found {
            if let Some(json) = node.known().and_then(decode_json_attribute) {
                let source = Source {
                    owner: addr.to_string(),
                    name,
                    usage,
                };
                f(&source, &json_statements(&json));
            }
        }
        return;
    }
    if let Some((addr, config)) = resource(doc, &["data.aws_iam_policy_document"]) {
        let source = Source {
            owner: addr.to_string(),
            name: "statement".into(),
            usage: Use::Unknown,
        };
        f(&source, &tf_statements(config));
    }
}

const CFN_POLICY_TYPES: &[&str] = &[
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::SSO::PermissionSet",
];

fn cfn_policies(doc: &Document, f: &mut PolicyFn) {
    for r in resources(doc, CFN_POLICY_TYPES) {
        let source = |name: &str, usage: Use| Source {
            owner: format!("`{}`", r.id),
            name: name.to_string(),
            usage,
        };
        if let Ok(Some(p)) = r.prop("PolicyDocument") {
            run_json(&source("PolicyDocument", Use::Identity), p, f);
        }
        if let Ok(Some(p)) = r.prop("AssumeRolePolicyDocument") {
            run_json(&source("AssumeRolePolicyDocument", Use::Trust), p, f);
        }
        if let Ok(Some(p)) = r.prop("KeyPolicy") {
            run_json(&source("KeyPolicy", Use::KeyPolicy), p, f);
        }
        if let Ok(Some(p)) = r.prop("InlinePolicy") {
            run_json(&source("InlinePolicy", Use::Identity), p, f);
        }
        if let Ok(Some(p)) = r.prop("ResourcePolicy") {
            run_json(&source("ResourcePolicy", Use::SecretPolicy), p, f);
        }
        if let Ok(Some(policies)) = r.prop("Policies") {
            for (i, p) in policies.items().into_iter().enumerate() {
                let Some(p) = decided(p) else { continue };
                let name = p
                    .get("PolicyName")
                    .and_then(Node::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("Policies[{i}]"));
                if let Some(d) = p.get("PolicyDocument").and_then(decided) {
                    run_json(&source(&name, Use::Identity), d, f);
                }
            }
        }
    }
}

/// The identity-based statements of a policy: what a user, group or role may do.
fn identity_statements<'s, 'a>(
    source: &Source,
    statements: &'s [Statement<'a>],
) -> impl Iterator<Item = &'s Statement<'a>> {
    let usage = source.usage;
    statements.iter().filter(move |s| {
        s.allow && !s.has_principal && matches!(usage, Use::Identity | Use::Unknown)
    })
}

/// The statements of a role's trust policy (or of a data source that reads like one).
fn trust_statements<'s, 'a>(
    source: &Source,
    statements: &'s [Statement<'a>],
) -> impl Iterator<Item = &'s Statement<'a>> {
    let usage = source.usage;
    statements.iter().filter(move |s| {
        s.allow
            && match usage {
                Use::Trust => true,
                Use::Unknown => {
                    s.has_principal
                        && [
                            "sts:AssumeRole",
                            "sts:AssumeRoleWithWebIdentity",
                            "sts:AssumeRoleWithSAML",
                        ]
                        .iter()
                        .any(|a| s.grants(a))
                }
                _ => false,
            }
    })
}

fn identity(source: &Source, st: &Statement) -> String {
    format!(
        "{}/{}/{}",
        source.owner.trim_matches('`'),
        source.name,
        st.sid
    )
}

// ---------------------------------------------------------------------------------------------
// Identity-based policies: what each action pattern grants

/// The most serious problem an action pattern of an identity statement carries; each
/// pattern is reported by one check only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grant {
    FullAdmin,
    Privesc,
    PassRole,
    AssumeAny,
    Wildcard,
    Exposure,
    DataRead,
}

/// Actions that let a principal give itself (or a principal it controls) more permissions.
const PRIVESC: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
];

/// Actions that start compute under a role passed to them: with `iam:PassRole` on every
/// role, code runs with any role's permissions.
const PASSROLE_USERS: &[&str] = &[
    "lambda:CreateFunction",
    "lambda:UpdateFunctionConfiguration",
    "ec2:RunInstances",
    "ec2:AssociateIamInstanceProfile",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "glue:CreateDevEndpoint",
    "glue:CreateJob",
    "ecs:RunTask",
    "ecs:RegisterTaskDefinition",
    "codebuild:CreateProject",
    "sagemaker:CreateNotebookInstance",
    "datapipeline:CreatePipeline",
];

/// Actions that change who can reach a resource (its resource policy, ACL or sharing).
const EXPOSURE: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "secretsmanager:PutResourcePolicy",
    "lambda:AddPermission",
    "lambda:AddLayerVersionPermission",
    "sns:AddPermission",
    "sqs:AddPermission",
    "ecr:SetRepositoryPolicy",
    "ec2:ModifySnapshotAttribute",
    "ec2:ModifyImageAttribute",
    "rds:ModifyDBSnapshotAttribute",
    "rds:ModifyDBClusterSnapshotAttribute",
    "glacier:SetVaultAccessPolicy",
    "logs:PutResourcePolicy",
    "events:PutPermission",
    "backup:PutBackupVaultAccessPolicy",
    "elasticfilesystem:PutFileSystemPolicy",
    "ram:CreateResourceShare",
];

/// Actions that read stored data or secrets.
const DATA_READ: &[&str] = &[
    "s3:GetObject",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
];

struct Finding<'a> {
    grant: Grant,
    at: &'a Node,
    action: &'a str,
    /// The listed actions the pattern grants.
    covers: Vec<&'static str>,
}

fn matching(pattern: &str, list: &[&'static str]) -> Vec<&'static str> {
    list.iter().copied().filter(|a| glob(pattern, a)).collect()
}

/// What each action pattern of an identity statement grants, by its most serious problem.
fn classify<'a>(st: &Statement<'a>) -> Vec<Finding<'a>> {
    let any_resource = st.resources.star().is_some();
    let resources_known = !st.resources.partial;
    let open = any_resource && st.unconditional();
    if any_resource {
        // `*` on `*` says it all: the statement's other actions are not reported again.
        if let Some(&(at, action)) = st.actions.items.iter().find(|(_, a)| *a == "*") {
            return vec![Finding {
                grant: Grant::FullAdmin,
                at,
                action,
                covers: Vec::new(),
            }];
        }
    }
    let mut out = Vec::new();
    for &(at, action) in &st.actions.items {
        let found = |grant: Grant, covers: Vec<&'static str>| Finding {
            grant,
            at,
            action,
            covers,
        };
        if action == "*" {
            if any_resource {
                out.push(found(Grant::FullAdmin, Vec::new()));
            } else if resources_known && st.resources.written() {
                out.push(found(Grant::Wildcard, Vec::new()));
            }
            continue;
        }
        if open {
            let privesc = matching(action, PRIVESC);
            if !privesc.is_empty() {
                out.push(found(Grant::Privesc, privesc));
                continue;
            }
            if glob(action, "iam:PassRole") {
                out.push(found(Grant::PassRole, Vec::new()));
                continue;
            }
            if glob(action, "sts:AssumeRole") {
                out.push(found(Grant::AssumeAny, Vec::new()));
                continue;
            }
        }
        if service_wildcard(action) {
            out.push(found(Grant::Wildcard, Vec::new()));
            continue;
        }
        if open {
            let exposure = matching(action, EXPOSURE);
            if !exposure.is_empty() {
                out.push(found(Grant::Exposure, exposure));
                continue;
            }
            let read = matching(action, DATA_READ);
            if !read.is_empty() {
                out.push(found(Grant::DataRead, read));
            }
        }
    }
    out
}

/// The action patterns of one statement that carry the same problem.
struct Grouped<'a> {
    at: &'a Node,
    actions: Vec<&'a str>,
    /// The listed actions the patterns grant.
    covers: Vec<&'static str>,
}

impl Grouped<'_> {
    /// The patterns as written, and what wildcards among them stand for.
    fn describe(&self) -> String {
        let written = self
            .actions
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if self.actions.iter().any(|a| a.contains(['*', '?'])) && !self.covers.is_empty() {
            format!("{written} (which includes {})", list(&self.covers))
        } else {
            written
        }
    }
}

/// Reports the identity statements with action patterns that carry `grant`: one finding
/// per statement, at its first such pattern.
fn report_grants(
    doc: &Document,
    lang: Lang,
    hits: &mut Vec<Hit>,
    grant: Grant,
    message: &dyn Fn(&Source, &[Statement], &Grouped) -> String,
) {
    each_policy(doc, lang, &mut |source, statements| {
        for st in identity_statements(source, statements) {
            let found: Vec<Finding> = classify(st)
                .into_iter()
                .filter(|f| f.grant == grant)
                .collect();
            let Some(first) = found.first() else {
                continue;
            };
            let mut covers: Vec<&'static str> = Vec::new();
            for f in &found {
                for c in &f.covers {
                    if !covers.contains(c) {
                        covers.push(c);
                    }
                }
            }
            let grouped = Grouped {
                at: first.at,
                actions: found.iter().map(|f| f.action).collect(),
                covers,
            };
            hits.push(
                Hit::at(grouped.at, message(source, statements, &grouped))
                    .with_identity(identity(source, st)),
            );
        }
    });
}

fn list(actions: &[&str]) -> String {
    const SHOWN: usize = 4;
    let mut text = actions
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if actions.len() > SHOWN {
        text.push_str(&format!(" and {} more", actions.len() - SHOWN));
    }
    text
}

macro_rules! both_languages {
    ($tf:ident, $cfn:ident, $body:ident) => {
        fn $tf(doc: &Document, hits: &mut Vec<Hit>) {
            $body(doc, Lang::Terraform, hits)
        }
        fn $cfn(doc: &Document, hits: &mut Vec<Hit>) {
            $body(doc, Lang::CloudFormation, hits)
        }
    };
}

both_languages!(tf_iam_full_admin, cfn_iam_full_admin, iam_full_admin);
both_languages!(
    tf_iam_wildcard_action,
    cfn_iam_wildcard_action,
    iam_wildcard_action
);
both_languages!(tf_iam_privesc, cfn_iam_privesc, iam_privesc);
both_languages!(tf_iam_passrole, cfn_iam_passrole, iam_passrole);
both_languages!(tf_iam_assume_any, cfn_iam_assume_any, iam_assume_any);
both_languages!(tf_iam_exposure, cfn_iam_exposure, iam_exposure);
both_languages!(tf_iam_data_read, cfn_iam_data_read, iam_data_read);
both_languages!(tf_iam_not_action, cfn_iam_not_action, iam_not_action);
both_languages!(
    tf_iam_trusts_anyone,
    cfn_iam_trusts_anyone,
    iam_trusts_anyone
);
both_languages!(
    tf_iam_oidc_unscoped,
    cfn_iam_oidc_unscoped,
    iam_oidc_unscoped
);
both_languages!(
    tf_iam_account_trust,
    cfn_iam_account_trust,
    iam_account_trust
);
both_languages!(
    tf_kms_policy_public,
    cfn_kms_policy_public,
    kms_policy_public
);
both_languages!(
    tf_secret_policy_public,
    cfn_secret_policy_public,
    secret_policy_public
);

fn iam_full_admin(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(doc, lang, hits, Grant::FullAdmin, &|source, _, _| {
        format!(
            "{} allows every action on every resource: full administrator access",
            source.label()
        )
    });
}

fn iam_wildcard_action(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(doc, lang, hits, Grant::Wildcard, &|source, _, f| {
        if f.actions.contains(&"*") {
            format!(
                "{} allows every action (`*`) on the resources it names",
                source.label()
            )
        } else {
            format!(
                "{} allows {}: every present and future action of the service",
                source.label(),
                f.describe()
            )
        }
    });
}

fn iam_privesc(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(doc, lang, hits, Grant::Privesc, &|source, _, f| {
        format!(
            "{} allows {} on every resource: whoever holds it can grant itself more permissions",
            source.label(),
            f.describe()
        )
    });
}

fn iam_passrole(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(
        doc,
        lang,
        hits,
        Grant::PassRole,
        &|source, statements, f| {
            let launchers: Vec<&str> = PASSROLE_USERS
                .iter()
                .copied()
                .filter(|a| statements.iter().any(|s| s.allow && s.grants(a)))
                .collect();
            let with = if launchers.is_empty() {
                String::new()
            } else {
                format!(", and the policy also allows {}", list(&launchers))
            };
            format!(
            "{} allows {} on every role without a condition{with}: code it launches can run with any role's permissions",
            source.label(),
            f.describe()
        )
        },
    );
}

fn iam_assume_any(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(doc, lang, hits, Grant::AssumeAny, &|source, _, f| {
        format!(
            "{} allows {} on every role: it can take on any role whose trust policy trusts its account",
            source.label(),
            f.describe()
        )
    });
}

fn iam_exposure(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(doc, lang, hits, Grant::Exposure, &|source, _, f| {
        format!(
            "{} allows {} on every resource: it can open any such resource to other accounts or the public",
            source.label(),
            f.describe()
        )
    });
}

fn iam_data_read(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    report_grants(doc, lang, hits, Grant::DataRead, &|source, _, f| {
        format!(
            "{} allows {} on every resource: it can read every object, secret or parameter in reach",
            source.label(),
            f.describe()
        )
    });
}

fn iam_not_action(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    each_policy(doc, lang, &mut |source, statements| {
        for st in identity_statements(source, statements) {
            let (at, what) = match (st.not_actions.node, st.not_resources.node) {
                (Some(n), _) => (n, "NotAction: everything except the actions listed"),
                (None, Some(n)) => (n, "NotResource: every resource except those listed"),
                (None, None) => continue,
            };
            hits.push(
                Hit::at(at, format!("{} allows {what}", source.label()))
                    .with_identity(identity(source, st)),
            );
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Trust and key policies

fn iam_trusts_anyone(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    each_policy(doc, lang, &mut |source, statements| {
        for st in trust_statements(source, statements) {
            if !st.unconditional() {
                continue;
            }
            if let Some(at) = st.anyone() {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "{} lets any AWS principal, in any account, assume the role without a condition",
                            source.label()
                        ),
                    )
                    .with_identity(identity(source, st)),
                );
            }
        }
    });
}

/// An identity provider whose tokens are issued to many unrelated tenants: a role that
/// trusts it must say, with a condition on `claim`, which of them it accepts.
struct SharedProvider {
    host: &'static str,
    claim: &'static str,
    /// Whose tokens get in without the condition.
    anyone: &'static str,
}

const SHARED_PROVIDERS: &[SharedProvider] = &[
    SharedProvider {
        host: "token.actions.githubusercontent.com",
        claim: "sub",
        anyone: "a GitHub Actions workflow in any repository on GitHub",
    },
    SharedProvider {
        host: "gitlab.com",
        claim: "sub",
        anyone: "a CI job of any project on gitlab.com",
    },
    SharedProvider {
        host: "app.terraform.io",
        claim: "sub",
        anyone: "a run of any HCP Terraform organization",
    },
    SharedProvider {
        host: "cognito-identity.amazonaws.com",
        claim: "aud",
        anyone: "an identity from any Cognito identity pool in any AWS account",
    },
];

impl SharedProvider {
    /// A federated principal naming the provider (its OIDC provider ARN, or the bare host
    /// for Cognito); enterprise-specific GitHub issuers add `/<slug>` to the host.
    fn named_by(&self, principal: &str) -> bool {
        let p = principal.trim().to_ascii_lowercase();
        let p = p
            .rsplit_once(":oidc-provider/")
            .map_or(p.as_str(), |(_, h)| h);
        p == self.host
            || p.strip_prefix(self.host)
                .is_some_and(|r| r.starts_with('/'))
    }

    /// A condition key of the provider (`host:claim`, or `host/slug:claim`).
    fn key_of(&self, key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        key.strip_prefix(self.host)
            .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('/'))
    }
}

/// A subject pattern that matches every tenant: `*`, or a wildcard in place of the
/// repository owner, project group or organization.
fn any_tenant(value: &str) -> bool {
    let owner = ["repo:", "project_path:", "organization:"]
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix))
        .map(|rest| rest.split(['/', ':']).next().unwrap_or(rest));
    match owner {
        Some(owner) => owner.contains('*') || owner.contains('?') || owner.is_empty(),
        None => value.starts_with('*') || value.starts_with('?'),
    }
}

fn iam_oidc_unscoped(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    each_policy(doc, lang, &mut |source, statements| {
        for st in trust_statements(source, statements) {
            let Some(federated) = st.principal("Federated") else {
                continue;
            };
            let Some(conditions) = &st.conditions else {
                continue;
            };
            for provider in SHARED_PROVIDERS {
                let named = federated
                    .items
                    .iter()
                    .find(|(_, p)| provider.named_by(p))
                    .map(|(n, _)| *n);
                let substituted = federated.node.and_then(|n| {
                    n.items()
                        .into_iter()
                        .find(|i| sub_template(i).is_some_and(|t| provider.named_by(t)))
                });
                // The provider is often a reference to the provider resource: the condition
                // keys still say whose tokens the statement accepts.
                let keyed = conditions.iter().any(|c| provider.key_of(&c.key));
                let Some(at) = named.or(substituted).or(federated.node.filter(|_| keyed)) else {
                    continue;
                };
                let claim = format!(":{}", provider.claim);
                let restricting: Vec<&Cond> = conditions
                    .iter()
                    .filter(|c| {
                        let key = c.key.to_ascii_lowercase();
                        let test = c.test.to_ascii_lowercase();
                        provider.key_of(&key)
                            && key.ends_with(&claim)
                            && (test.contains("stringequals") || test.contains("stringlike"))
                            && !test.contains("not")
                    })
                    .collect();
                if restricting.is_empty() {
                    hits.push(
                        Hit::at(
                            at,
                            format!(
                                "{} trusts tokens of {} without a condition on `{}:{}`: {} can assume the role",
                                source.label(),
                                provider.host,
                                provider.host,
                                provider.claim,
                                provider.anyone
                            ),
                        )
                        .with_identity(identity(source, st)),
                    );
                    continue;
                }
                for c in restricting {
                    if c.values.partial {
                        continue;
                    }
                    if let Some(&(at, value)) = c.values.items.iter().find(|(_, v)| any_tenant(v)) {
                        hits.push(
                            Hit::at(
                                at,
                                format!(
                                    "{} accepts tokens of {} whose `{}` matches `{value}`: {} can assume the role",
                                    source.label(),
                                    provider.host,
                                    provider.claim,
                                    provider.anyone
                                ),
                            )
                            .with_identity(format!("{}/{value}", identity(source, st))),
                        );
                    }
                }
            }
        }
    });
}

/// An account as a principal: `123456789012` or `arn:aws:iam::123456789012:root`.
fn account_principal(p: &str) -> bool {
    let account = p
        .strip_suffix(":root")
        .and_then(|a| a.rsplit_once("::"))
        .filter(|(prefix, _)| prefix.starts_with("arn:aws") && prefix.ends_with(":iam"))
        .map(|(_, acct)| acct)
        .unwrap_or(p);
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

fn iam_account_trust(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    each_policy(doc, lang, &mut |source, statements| {
        for st in trust_statements(source, statements) {
            if !st.unconditional() {
                continue;
            }
            let Some(aws) = st.principal("AWS") else {
                continue;
            };
            if let Some(&(at, p)) = aws.items.iter().find(|(_, p)| account_principal(p)) {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "{} trusts the whole account `{p}` without a condition (no sts:ExternalId, MFA or organization check)",
                            source.label()
                        ),
                    )
                    .with_identity(format!("{}/{p}", identity(source, st))),
                );
            }
        }
    });
}

/// Reports resource-policy statements that allow any AWS principal without a condition:
/// statements of policies of `usage`, or of data sources whose actions are all `prefix`.
fn public_resource_policy(
    doc: &Document,
    lang: Lang,
    hits: &mut Vec<Hit>,
    usage: Use,
    prefix: &str,
    what: &str,
) {
    each_policy(doc, lang, &mut |source, statements| {
        for st in statements.iter().filter(|s| s.allow && s.unconditional()) {
            let ours = if source.usage == usage {
                true
            } else {
                source.usage == Use::Unknown
                    && !st.actions.items.is_empty()
                    && st
                        .actions
                        .items
                        .iter()
                        .all(|(_, a)| a.to_ascii_lowercase().starts_with(prefix))
            };
            if !ours {
                continue;
            }
            if let Some(at) = st.anyone() {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "{} grants {what} to any AWS principal, in any account, without a condition",
                            source.label()
                        ),
                    )
                    .with_identity(identity(source, st)),
                );
            }
        }
    });
}

fn kms_policy_public(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    public_resource_policy(
        doc,
        lang,
        hits,
        Use::KeyPolicy,
        "kms:",
        "use of the KMS key",
    );
}

fn secret_policy_public(doc: &Document, lang: Lang, hits: &mut Vec<Hit>) {
    public_resource_policy(
        doc,
        lang,
        hits,
        Use::SecretPolicy,
        "secretsmanager:",
        "access to the secret",
    );
}

/// Words that name a secret in a parameter's name.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "apikey",
    "api_key",
    "api-key",
    "privatekey",
    "private_key",
    "private-key",
    "credential",
];

/// A parameter name that says it holds a secret (and not a pointer to one: an ARN, name,
/// id, URL or path).
fn secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let last = name.rsplit('/').next().unwrap_or(&name);
    let pointer = ["arn", "name", "id", "url", "path", "rotation", "version"]
        .iter()
        .any(|s| {
            last.ends_with(&format!("_{s}"))
                || last.ends_with(&format!("-{s}"))
                || last.ends_with(&format!(".{s}"))
        });
    SECRET_WORDS.iter().any(|w| last.contains(w)) && !pointer
}

fn tf_ssm_secret_plaintext(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ssm_parameter"]) else {
        return;
    };
    let Some(name) = config
        .get("name")
        .and_then(Node::known)
        .and_then(Node::as_str)
    else {
        return;
    };
    let Some(kind) = attr(config, "type").and_then(Node::known) else {
        return;
    };
    if matches!(kind.as_str(), Some("String" | "StringList")) && secret_name(name) {
        hits.push(
            Hit::at(
                kind,
                format!(
                    "{addr} stores `{name}` as a plain {} parameter instead of a SecureString",
                    kind.as_str().unwrap_or_default()
                ),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn cfn_ssm_secret_plaintext(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::SSM::Parameter"]) {
        let name = match r.prop("Name") {
            Err(()) => continue,
            Ok(Some(n)) => n.as_str(),
            Ok(None) => Some(r.id),
        };
        let Some(name) = name else { continue };
        let Ok(Some(kind)) = r.prop("Type") else {
            continue;
        };
        if matches!(kind.as_str(), Some("String" | "StringList")) && secret_name(name) {
            let hit = Hit::at(
                kind,
                format!("parameter `{}` stores `{name}` as a plain {} parameter: CloudFormation cannot create SecureString parameters, so the value sits unencrypted in the template and the parameter", r.id, kind.as_str().unwrap_or_default()),
            );
            push(hits, Some(hit), r.id);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IAM users and the account's password policy

fn tf_user_direct_policy(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(
        doc,
        &["aws_iam_user_policy", "aws_iam_user_policy_attachment"],
    ) {
        let Some(user) = attr(config, "user") else {
            return;
        };
        let who = user
            .known()
            .and_then(Node::as_str)
            .map(|u| format!(" `{u}`"))
            .unwrap_or_default();
        hits.push(
            Hit::at(
                user,
                format!("{addr} gives permissions directly to the IAM user{who} instead of through a group or role"),
            )
            .with_identity(addr.to_string()),
        );
        return;
    }
    if let Some((addr, config)) = resource(doc, &["aws_iam_policy_attachment"]) {
        let Some(users) = attr(config, "users").and_then(Node::known) else {
            return;
        };
        if !users.items().is_empty() {
            hits.push(
                Hit::at(
                    users,
                    format!("{addr} attaches the policy directly to IAM users instead of a group or role"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_user_direct_policy(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::IAM::User"]) {
        for key in ["Policies", "ManagedPolicyArns"] {
            if let Ok(Some(v)) = r.prop(key) {
                if !v.items().is_empty() {
                    let hit = Hit::at(
                        v,
                        format!("IAM user `{}` has permissions of its own ({key}) instead of getting them through a group or role", r.id),
                    );
                    push(hits, Some(hit), &format!("{}/{key}", r.id));
                }
            }
        }
    }
    for r in resources(doc, &["AWS::IAM::UserPolicy"]) {
        let hit = Hit::at(
            r.anchor(),
            format!(
                "`{}` gives permissions directly to an IAM user instead of through a group or role",
                r.id
            ),
        );
        push(hits, Some(hit), r.id);
    }
    for r in resources(doc, &["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
        if let Ok(Some(users)) = r.prop("Users") {
            if !users.items().is_empty() {
                let hit = Hit::at(
                    users,
                    format!(
                        "`{}` is attached directly to IAM users instead of a group or role",
                        r.id
                    ),
                );
                push(hits, Some(hit), &format!("{}/Users", r.id));
            }
        }
    }
}

/// A status written `Inactive` (the key or profile is kept but unusable).
fn inactive(status: Option<&Node>) -> bool {
    status
        .and_then(decided)
        .and_then(Node::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("Inactive"))
}

fn tf_user_access_key(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_iam_access_key"]) else {
        return;
    };
    if inactive(attr(config, "status")) {
        return;
    }
    let state = if attr(config, "pgp_key").is_some() {
        ""
    } else {
        ", and its secret is stored in plain text in the Terraform state"
    };
    hits.push(
        Hit::at(
            &doc.root,
            format!("{addr} creates a long-lived access key for an IAM user{state}"),
        )
        .with_identity(addr.to_string()),
    );
}

fn cfn_user_access_key(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::IAM::AccessKey"]) {
        if inactive(r.props.get("Status")) {
            continue;
        }
        let hit = Hit::at(
            r.anchor(),
            format!("`{}` creates a long-lived access key for an IAM user", r.id),
        );
        push(hits, Some(hit), r.id);
    }
}

fn tf_user_login_profile(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_iam_user_login_profile"]) else {
        return;
    };
    let who = config
        .get("user")
        .and_then(Node::known)
        .and_then(Node::as_str)
        .map(|u| format!(" `{u}`"))
        .unwrap_or_default();
    hits.push(
        Hit::at(
            &doc.root,
            format!("{addr} gives the IAM user{who} a console password"),
        )
        .with_identity(addr.to_string()),
    );
}

fn cfn_user_login_profile(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::IAM::User"]) {
        if let Ok(Some(profile)) = r.prop("LoginProfile") {
            let hit = Hit::at(
                profile,
                format!("IAM user `{}` has a console password (LoginProfile)", r.id),
            );
            push(hits, Some(hit), &format!("{}/LoginProfile", r.id));
        }
    }
}

const ADMIN_POLICY: &str = ":iam::aws:policy/AdministratorAccess";

/// A managed policy ARN that is decidedly AWS's `AdministratorAccess`, in any partition
/// (also through `Fn::Sub "arn:${AWS::Partition}:..."`).
fn admin_arn(node: &Node) -> bool {
    let text = match decided(node) {
        Some(n) => n.as_str(),
        None => sub_template(node),
    };
    text.is_some_and(|t| t.trim().starts_with("arn:") && t.trim().ends_with(ADMIN_POLICY))
}

fn tf_admin_attached(doc: &Document, hits: &mut Vec<Hit>) {
    let types = [
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role",
        "aws_iam_role_policy_attachments_exclusive",
    ];
    let Some((addr, config)) = resource(doc, &types) else {
        return;
    };
    for key in ["policy_arn", "managed_policy_arns", "policy_arns"] {
        let Some(value) = attr(config, key).and_then(Node::known) else {
            continue;
        };
        if value.items().into_iter().any(admin_arn) {
            hits.push(
                Hit::at(
                    value,
                    format!("{addr} attaches the AWS-managed AdministratorAccess policy: full control of the account"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_admin_attached(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"],
    ) {
        let Ok(Some(arns)) = r.prop("ManagedPolicyArns") else {
            continue;
        };
        if let Some(at) = arns.items().into_iter().find(|a| admin_arn(a)) {
            let hit = Hit::at(
                at,
                format!("`{}` is given the AWS-managed AdministratorAccess policy: full control of the account", r.id),
            );
            push(hits, Some(hit), r.id);
        }
    }
}

const PASSWORD_POLICY: &[&str] = &["aws_iam_account_password_policy"];

/// A number attribute of the password policy: `Err(())` when it is not known, `Ok(None)`
/// when it is not set.
fn number<'a>(config: &'a Node, key: &str) -> Result<Option<(&'a Node, f64)>, ()> {
    match attr(config, key) {
        None => Ok(None),
        Some(v) => {
            let v = v.known().ok_or(())?;
            v.as_f64().map(|n| Some((v, n))).ok_or(())
        }
    }
}

fn tf_password_length(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, PASSWORD_POLICY) else {
        return;
    };
    let hit = match number(config, "minimum_password_length") {
        Err(()) => return,
        Ok(None) => Hit::at(
            &doc.root,
            format!("{addr} does not set minimum_password_length, so IAM passwords may be as short as 6 characters"),
        ),
        Ok(Some((v, n))) if n < 14.0 => Hit::at(
            v,
            format!("{addr} accepts IAM passwords of {n} characters (at least 14 is recommended)"),
        ),
        Ok(Some(_)) => return,
    };
    hits.push(hit.with_identity(addr.to_string()));
}

fn tf_password_reuse(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, PASSWORD_POLICY) else {
        return;
    };
    let hit = match number(config, "password_reuse_prevention") {
        Err(()) => return,
        Ok(None) => Hit::at(
            &doc.root,
            format!("{addr} does not set password_reuse_prevention, so users can reuse their previous passwords"),
        ),
        Ok(Some((v, n))) if n < 24.0 => Hit::at(
            v,
            format!("{addr} remembers only {n} previous passwords (24 is recommended)"),
        ),
        Ok(Some(_)) => return,
    };
    hits.push(hit.with_identity(addr.to_string()));
}

fn tf_password_complexity(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, PASSWORD_POLICY) else {
        return;
    };
    let keys = [
        ("require_lowercase_characters", "lowercase letters"),
        ("require_uppercase_characters", "uppercase letters"),
        ("require_numbers", "numbers"),
        ("require_symbols", "symbols"),
    ];
    let mut missing = Vec::new();
    let mut at: Option<&Node> = None;
    for (key, what) in keys {
        match attr(config, key) {
            Some(v) if v.is_unknown() => return,
            Some(v) if v.as_bool() == Some(true) => {}
            Some(v) => {
                at.get_or_insert(v);
                missing.push(what);
            }
            None => missing.push(what),
        }
    }
    if missing.is_empty() {
        return;
    }
    hits.push(
        Hit::at(
            at.unwrap_or(&doc.root),
            format!(
                "{addr} does not require {} in IAM passwords",
                missing.join(", ")
            ),
        )
        .with_identity(addr.to_string()),
    );
}

fn tf_password_max_age(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, PASSWORD_POLICY) else {
        return;
    };
    let hit = match number(config, "max_password_age") {
        Err(()) => return,
        Ok(None) => Hit::at(
            &doc.root,
            format!("{addr} does not set max_password_age, so IAM passwords never expire"),
        ),
        Ok(Some((v, n))) if n <= 0.0 || n > 90.0 => Hit::at(
            v,
            format!("{addr} lets IAM passwords live {n} days (at most 90 expected)"),
        ),
        Ok(Some(_)) => return,
    };
    hits.push(hit.with_identity(addr.to_string()));
}

// ---------------------------------------------------------------------------------------------
// KMS keys and secrets

fn tf_kms_rotation(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_kms_key"]) else {
        return;
    };
    for (key, symmetric) in [
        ("customer_master_key_spec", "SYMMETRIC_DEFAULT"),
        ("key_spec", "SYMMETRIC_DEFAULT"),
        ("key_usage", "ENCRYPT_DECRYPT"),
    ] {
        if let Some(v) = attr(config, key) {
            if v.known().and_then(Node::as_str) != Some(symmetric) {
                // Asymmetric and HMAC keys cannot rotate automatically (or it is not known).
                return;
            }
        }
    }
    if attr(config, "custom_key_store_id").is_some() {
        return;
    }
    let hit = match attr(config, "enable_key_rotation") {
        Some(v) if v.is_unknown() || v.as_bool() == Some(true) => return,
        Some(v) => Hit::at(
            v,
            format!("{addr} turns automatic key rotation off"),
        ),
        None => Hit::at(
            &doc.root,
            format!("{addr} does not rotate its key material (`enable_key_rotation` is not set and defaults to false)"),
        ),
    };
    hits.push(hit.with_identity(addr.to_string()));
}

fn cfn_kms_rotation(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::KMS::Key"]) {
        let symmetric = [
            ("KeySpec", "SYMMETRIC_DEFAULT"),
            ("KeyUsage", "ENCRYPT_DECRYPT"),
            ("Origin", "AWS_KMS"),
        ]
        .iter()
        .all(|(key, wanted)| match r.prop(key) {
            Ok(None) => true,
            Ok(Some(v)) => v.as_str() == Some(*wanted),
            Err(()) => false,
        });
        if !symmetric {
            continue;
        }
        let hit = match r.prop("EnableKeyRotation") {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("KMS key `{}` does not set EnableKeyRotation, so its key material is never rotated", r.id),
            )),
            Ok(Some(v)) => (v.as_bool() != Some(true)).then(|| {
                Hit::at(v, format!("KMS key `{}` turns automatic key rotation off", r.id))
            }),
        };
        push(hits, hit, r.id);
    }
}

/// The AWS-managed key of Secrets Manager, named explicitly.
fn aws_managed_secrets_key(id: &str) -> bool {
    id.ends_with("alias/aws/secretsmanager")
}

fn tf_secret_no_cmk(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_secretsmanager_secret"]) else {
        return;
    };
    let hit = match attr(config, "kms_key_id") {
        None => Hit::at(
            &doc.root,
            format!("{addr} is encrypted with the AWS-managed key aws/secretsmanager (`kms_key_id` is not set)"),
        ),
        Some(v) if v.known().and_then(Node::as_str).is_some_and(aws_managed_secrets_key) => {
            Hit::at(v, format!("{addr} is encrypted with the AWS-managed key aws/secretsmanager"))
        }
        Some(_) => return,
    };
    hits.push(hit.with_identity(addr.to_string()));
}

fn cfn_secret_no_cmk(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::SecretsManager::Secret"]) {
        let hit = match r.prop("KmsKeyId") {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("secret `{}` is encrypted with the AWS-managed key aws/secretsmanager (KmsKeyId is not set)", r.id),
            )),
            Ok(Some(v)) => v
                .as_str()
                .filter(|k| aws_managed_secrets_key(k))
                .map(|_| Hit::at(v, format!("secret `{}` is encrypted with the AWS-managed key aws/secretsmanager", r.id))),
        };
        push(hits, hit, r.id);
    }
}

// ---------------------------------------------------------------------------------------------
// Lambda permissions

/// A Lambda permission read from either language: its principal and whether something
/// (a source ARN or account, an organization, an event source token) confines it.
struct LambdaPermission<'a> {
    name: String,
    identity: String,
    principal: &'a Node,
    principal_text: &'a str,
    confined: bool,
    public_url: bool,
}

fn tf_lambda_permission(doc: &Document) -> Option<LambdaPermission<'_>> {
    let (addr, config) = resource(doc, &["aws_lambda_permission"])?;
    let principal = attr(config, "principal")?;
    let principal_text = principal.known()?.as_str()?.trim();
    let confined = [
        "source_arn",
        "source_account",
        "principal_org_id",
        "event_source_token",
    ]
    .iter()
    .any(|k| attr(config, k).is_some_and(|v| !v.is_null()));
    let public_url = attr(config, "function_url_auth_type").and_then(Node::as_str) == Some("NONE");
    Some(LambdaPermission {
        name: addr.to_string(),
        identity: addr.to_string(),
        principal,
        principal_text,
        confined,
        public_url,
    })
}

fn cfn_lambda_permissions<'a>(doc: &'a Document) -> Vec<LambdaPermission<'a>> {
    resources(doc, &["AWS::Lambda::Permission"])
        .into_iter()
        .filter_map(|r: Resource<'a>| {
            let principal = r.prop("Principal").ok()??;
            let principal_text = text(principal)?.trim();
            let confined = [
                "SourceArn",
                "SourceAccount",
                "PrincipalOrgID",
                "EventSourceToken",
            ]
            .iter()
            .any(|k| r.props.get(k).is_some());
            let public_url =
                r.props.get("FunctionUrlAuthType").and_then(Node::as_str) == Some("NONE");
            Some(LambdaPermission {
                name: format!("`{}`", r.id),
                identity: r.id.to_string(),
                principal,
                principal_text,
                confined,
                public_url,
            })
        })
        .collect()
}

fn lambda_public(p: &LambdaPermission, hits: &mut Vec<Hit>) {
    // A function URL without authentication is reported by the function URL check.
    if p.principal_text != "*" || p.confined || p.public_url {
        return;
    }
    hits.push(
        Hit::at(
            p.principal,
            format!(
                "{} grants `*` with no source or organization condition: any AWS account can invoke the function",
                p.name
            ),
        )
        .with_identity(p.identity.clone()),
    );
}

fn lambda_service(p: &LambdaPermission, hits: &mut Vec<Hit>) {
    // Lambda@Edge replication cannot be scoped by source.
    let edge = [
        "replicator.lambda.amazonaws.com",
        "edgelambda.amazonaws.com",
    ];
    if !p.principal_text.ends_with(".amazonaws.com")
        || p.confined
        || edge.contains(&p.principal_text)
    {
        return;
    }
    hits.push(
        Hit::at(
            p.principal,
            format!(
                "{} lets `{}` invoke the function for any source: without a source ARN or account, resources of that service in other accounts can trigger it",
                p.name, p.principal_text
            ),
        )
        .with_identity(p.identity.clone()),
    );
}

fn tf_lambda_public(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some(p) = tf_lambda_permission(doc) {
        lambda_public(&p, hits);
    }
}

fn cfn_lambda_public(doc: &Document, hits: &mut Vec<Hit>) {
    for p in cfn_lambda_permissions(doc) {
        lambda_public(&p, hits);
    }
}

fn tf_lambda_service(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some(p) = tf_lambda_permission(doc) {
        lambda_service(&p, hits);
    }
}

fn cfn_lambda_service(doc: &Document, hits: &mut Vec<Hit>) {
    for p in cfn_lambda_permissions(doc) {
        lambda_service(&p, hits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_patterns_match_as_iam_matches_them() {
        assert!(glob("iam:Put*", "iam:PutRolePolicy"));
        assert!(glob("IAM:putrolepolicy", "iam:PutRolePolicy"));
        assert!(glob("iam:*Policy", "iam:AttachRolePolicy"));
        assert!(glob("s3:Get?bject", "s3:GetObject"));
        assert!(glob("*", "sts:AssumeRole"));
        assert!(!glob("iam:Get*", "iam:PutRolePolicy"));
        assert!(!glob("sts:AssumeRoleWithSAML", "sts:AssumeRole"));
        assert!(!glob("", "s3:GetObject"));
        assert!(service_wildcard("s3:*"));
        assert!(!service_wildcard("s3:Get*"));
        assert!(!service_wildcard("*"));
    }

    #[test]
    fn github_subjects_and_account_principals() {
        assert!(any_tenant("*"));
        assert!(any_tenant("repo:*"));
        assert!(any_tenant("repo:*/infra:*"));
        assert!(any_tenant("project_path:*"));
        assert!(!any_tenant("repo:acme/*"));
        assert!(!any_tenant("repo:acme/infra:ref:refs/heads/main"));
        assert!(!any_tenant(
            "organization:acme:project:*:workspace:*:run_phase:*"
        ));
        let github = &SHARED_PROVIDERS[0];
        assert!(github.named_by(
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
        ));
        assert!(github.named_by("token.actions.githubusercontent.com/acme"));
        assert!(!github.named_by("arn:aws:iam::123456789012:oidc-provider/gitlab.com"));
        assert!(github.key_of("token.actions.githubusercontent.com:sub"));
        assert!(!SHARED_PROVIDERS[1].key_of("gitlab.company.com:sub"));
        assert!(account_principal("123456789012"));
        assert!(account_principal("arn:aws:iam::123456789012:root"));
        assert!(account_principal("arn:aws-us-gov:iam::123456789012:root"));
        assert!(!account_principal("arn:aws:iam::123456789012:role/deploy"));
        assert!(!account_principal("*"));
        assert!(secret_name("/orders/prod/db_password"));
        assert!(secret_name("stripe-api-key"));
        assert!(!secret_name("/orders/prod/db_password_arn"));
        assert!(!secret_name("/orders/prod/secret-name"));
        assert!(!secret_name("/orders/prod/db_host"));
    }
}
