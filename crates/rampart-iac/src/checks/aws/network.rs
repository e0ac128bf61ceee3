//! AWS networks and compute: security groups, VPCs, load balancers, instances, functions and
//! clusters. Each check reads Terraform and CloudFormation alike: its `tf_` function the one,
//! its `cfn_` function the other.

use super::super::cloudformation::{decided, resources, scalar};
use super::super::terraform::{block, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.sg-admin-ports-open", tf_sg_admin_ports_open),
    ("iac.aws.sg-admin-ports-open", cfn_sg_admin_ports_open),
    ("iac.aws.ec2-imdsv1", tf_ec2_imdsv1),
];

/// Remote administration ports: SSH and RDP.
const ADMIN_PORTS: &[(u32, &str)] = &[(22, "SSH"), (3389, "RDP")];

fn open_to_world(cidrs: Option<&Node>) -> Option<bool> {
    let cidrs = cidrs?;
    if cidrs.is_unknown() {
        return None;
    }
    Some(
        cidrs
            .items()
            .into_iter()
            .any(|c| matches!(c.as_str(), Some("0.0.0.0/0") | Some("::/0"))),
    )
}

/// The admin port a rule exposes, if any: all traffic, or a range covering SSH or RDP.
fn exposed(rule: &Node) -> Option<String> {
    let protocol = rule
        .get("protocol")
        .or_else(|| rule.get("ip_protocol"))
        .and_then(Node::known);
    if protocol
        .and_then(Node::as_str)
        .is_some_and(|p| p == "-1" || p.eq_ignore_ascii_case("all"))
    {
        return Some("every port".to_string());
    }
    let from = rule.get("from_port")?.known()?.as_f64()? as u32;
    let to = rule.get("to_port")?.known()?.as_f64()? as u32;
    ADMIN_PORTS
        .iter()
        .find(|(p, _)| from <= *p && *p <= to)
        .map(|(p, name)| format!("port {p} ({name})"))
}

fn tf_sg_admin_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_security_group",
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
        ],
    ) else {
        return;
    };
    let mut rules: Vec<&Node> = Vec::new();
    match doc.root.field("type").as_str() {
        Some("aws_security_group") => rules.extend(config.field("ingress").items()),
        Some("aws_security_group_rule") if config.field("type").as_str() == Some("ingress") => {
            rules.push(config)
        }
        Some("aws_vpc_security_group_ingress_rule") => rules.push(config),
        _ => {}
    }
    for rule in rules {
        let world = open_to_world(rule.get("cidr_blocks"))
            .or(open_to_world(rule.get("cidr_ipv4")))
            .unwrap_or(false)
            || open_to_world(rule.get("ipv6_cidr_blocks")).unwrap_or(false)
            || open_to_world(rule.get("cidr_ipv6")).unwrap_or(false);
        if !world {
            continue;
        }
        if let Some(what) = exposed(rule) {
            let at = rule
                .get("cidr_blocks")
                .or_else(|| rule.get("cidr_ipv4"))
                .unwrap_or(rule);
            hits.push(
                Hit::at(at, format!("{addr} opens {what} to the whole internet"))
                    .with_identity(format!("{addr}/{what}")),
            );
        }
    }
}

/// Why an ingress rule exposes administration to the world, and where to point.
fn open_admin_rule(rule: &Node) -> Option<(&Node, String, String)> {
    let rule = decided(rule)?;
    let cidr = ["CidrIp", "CidrIpv6"]
        .iter()
        .filter_map(|k| rule.get(k).and_then(decided))
        .find(|c| {
            c.as_str()
                .is_some_and(|c| matches!(c.trim(), "0.0.0.0/0" | "::/0" | "::0/0"))
        })?;
    let cidr_text = cidr.as_str().unwrap_or_default().trim();
    let protocol = scalar(rule.get("IpProtocol").and_then(decided)?)?;
    let ports: &[u32] = match protocol.as_str() {
        "-1" | "all" => {
            return Some((
                cidr,
                format!("allows all traffic from {cidr_text}, SSH and RDP included"),
                format!("{cidr_text}/all"),
            ))
        }
        "tcp" | "6" => &[22, 3389],
        "udp" | "17" => &[3389],
        _ => return None,
    };
    let port = |k: &str| rule.get(k).and_then(decided).and_then(Node::as_f64);
    let (from, to) = (port("FromPort")?, port("ToPort")?);
    let (from, to) = if from < 0.0 || to < 0.0 {
        (0.0, 65535.0)
    } else {
        (from, to)
    };
    let open: Vec<String> = ADMIN_PORTS
        .iter()
        .filter(|(p, _)| ports.contains(p) && from <= f64::from(*p) && f64::from(*p) <= to)
        .map(|(p, name)| format!("{p} ({name})"))
        .collect();
    (!open.is_empty()).then(|| {
        (
            cidr,
            format!(
                "allows {protocol} port {} from {cidr_text}",
                open.join(" and ")
            ),
            format!("{cidr_text}/{protocol}/{from}-{to}"),
        )
    })
}

fn cfn_sg_admin_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"],
    ) {
        let is_group = r.node.field("Type").as_str() == Some("AWS::EC2::SecurityGroup");
        let rules = if is_group {
            match r.prop("SecurityGroupIngress") {
                Ok(Some(rules)) => rules.items(),
                _ => continue,
            }
        } else {
            vec![r.props]
        };
        for rule in rules {
            if let Some((at, why, key)) = open_admin_rule(rule) {
                let what = if is_group {
                    "security group"
                } else {
                    "ingress rule"
                };
                hits.push(
                    Hit::at(at, format!("{what} `{}` {why}", r.id))
                        .with_identity(format!("{}/{key}", r.id)),
                );
            }
        }
    }
}

fn tf_ec2_imdsv1(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_instance", "aws_launch_template"]) else {
        return;
    };
    match block(config, "metadata_options").and_then(|m| m.get("http_tokens")) {
        Some(t) if t.is_unknown() => {}
        Some(t) if t.as_str() == Some("required") => {}
        Some(t) => hits.push(
            Hit::at(
                t,
                format!("{addr} allows IMDSv1 (http_tokens is not \"required\")"),
            )
            .with_identity(addr.to_string()),
        ),
        None => {
            if block(config, "metadata_options")
                .is_some_and(|m| m.get("http_endpoint").and_then(Node::as_str) == Some("disabled"))
            {
                return;
            }
            hits.push(
                Hit::at(&doc.root, format!("{addr} allows IMDSv1: set metadata_options {{ http_tokens = \"required\" }}"))
                    .with_identity(addr.to_string()),
            )
        }
    }
}
