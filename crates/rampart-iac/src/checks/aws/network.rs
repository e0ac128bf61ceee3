//! AWS networks and compute: security groups, VPCs, load balancers, instances, functions and
//! clusters. Each check reads Terraform and CloudFormation alike: its `tf_` function the one,
//! its `cfn_` function the other.

use super::super::cloudformation::{decided, resources, scalar};
use super::super::terraform::{block, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node, Span};
use crate::terraform::decode_json_attribute;

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.sg-admin-ports-open", tf_sg_admin_ports_open),
    ("iac.aws.sg-admin-ports-open", cfn_sg_admin_ports_open),
    ("iac.aws.ec2-imdsv1", tf_ec2_imdsv1),
    ("iac.aws.ec2-imdsv1", cfn_ec2_imdsv1),
    ("iac.aws.sg-database-ports-open", tf_sg_database_ports_open),
    ("iac.aws.sg-database-ports-open", cfn_sg_database_ports_open),
    ("iac.aws.sg-service-ports-open", tf_sg_service_ports_open),
    ("iac.aws.sg-service-ports-open", cfn_sg_service_ports_open),
    ("iac.aws.sg-default-allows-traffic", tf_default_sg_has_rules),
    ("iac.aws.nacl-admin-ports-open", tf_nacl_admin_ports_open),
    ("iac.aws.nacl-admin-ports-open", cfn_nacl_admin_ports_open),
    ("iac.aws.subnet-public-ip-on-launch", tf_subnet_public_ip),
    ("iac.aws.subnet-public-ip-on-launch", cfn_subnet_public_ip),
    ("iac.aws.vpc-default-in-use", tf_default_vpc_used),
    ("iac.aws.ec2-public-ip", tf_ec2_public_ip),
    ("iac.aws.ec2-public-ip", cfn_ec2_public_ip),
    ("iac.aws.ec2-user-data-secrets", tf_ec2_user_data_secrets),
    ("iac.aws.ec2-user-data-secrets", cfn_ec2_user_data_secrets),
    (
        "iac.aws.ec2-block-device-not-encrypted",
        tf_ec2_block_device_not_encrypted,
    ),
    (
        "iac.aws.ec2-block-device-not-encrypted",
        cfn_ec2_block_device_not_encrypted,
    ),
    ("iac.aws.ami-public", tf_ami_public),
    ("iac.aws.eks-node-ssh-open", tf_eks_node_ssh_open),
    ("iac.aws.eks-node-ssh-open", cfn_eks_node_ssh_open),
    ("iac.aws.elb-http-listener", tf_elb_http_listener),
    ("iac.aws.elb-http-listener", cfn_elb_http_listener),
    (
        "iac.aws.elb-outdated-tls-policy",
        tf_elb_outdated_tls_policy,
    ),
    (
        "iac.aws.elb-outdated-tls-policy",
        cfn_elb_outdated_tls_policy,
    ),
    (
        "iac.aws.alb-invalid-headers-forwarded",
        tf_alb_drop_invalid_headers_off,
    ),
    (
        "iac.aws.alb-invalid-headers-forwarded",
        cfn_alb_drop_invalid_headers_off,
    ),
    (
        "iac.aws.alb-desync-mitigation-monitor",
        tf_alb_desync_monitor,
    ),
    (
        "iac.aws.alb-desync-mitigation-monitor",
        cfn_alb_desync_monitor,
    ),
    ("iac.aws.cloudfront-allows-http", tf_cloudfront_allows_http),
    ("iac.aws.cloudfront-allows-http", cfn_cloudfront_allows_http),
    (
        "iac.aws.cloudfront-outdated-tls",
        tf_cloudfront_outdated_tls,
    ),
    (
        "iac.aws.cloudfront-outdated-tls",
        cfn_cloudfront_outdated_tls,
    ),
    ("iac.aws.cloudfront-no-waf", tf_cloudfront_no_waf),
    ("iac.aws.cloudfront-no-waf", cfn_cloudfront_no_waf),
    (
        "iac.aws.cloudfront-origin-insecure",
        tf_cloudfront_origin_insecure,
    ),
    (
        "iac.aws.cloudfront-origin-insecure",
        cfn_cloudfront_origin_insecure,
    ),
    ("iac.aws.apigw-method-no-auth", tf_apigw_method_no_auth),
    ("iac.aws.apigw-method-no-auth", cfn_apigw_method_no_auth),
    ("iac.aws.apigw-outdated-tls", tf_apigw_outdated_tls),
    ("iac.aws.apigw-outdated-tls", cfn_apigw_outdated_tls),
    (
        "iac.aws.apigw-cache-not-encrypted",
        tf_apigw_cache_not_encrypted,
    ),
    (
        "iac.aws.apigw-cache-not-encrypted",
        cfn_apigw_cache_not_encrypted,
    ),
    ("iac.aws.lambda-url-no-auth", tf_lambda_url_no_auth),
    ("iac.aws.lambda-url-no-auth", cfn_lambda_url_no_auth),
    ("iac.aws.lambda-env-secrets", tf_lambda_env_secrets),
    ("iac.aws.lambda-env-secrets", cfn_lambda_env_secrets),
    (
        "iac.aws.lambda-deprecated-runtime",
        tf_lambda_deprecated_runtime,
    ),
    (
        "iac.aws.lambda-deprecated-runtime",
        cfn_lambda_deprecated_runtime,
    ),
    ("iac.aws.eks-public-endpoint", tf_eks_public_endpoint),
    ("iac.aws.eks-public-endpoint", cfn_eks_public_endpoint),
    ("iac.aws.ecs-privileged-container", tf_ecs_privileged),
    ("iac.aws.ecs-privileged-container", cfn_ecs_privileged),
    ("iac.aws.ecs-env-secrets", tf_ecs_env_secrets),
    ("iac.aws.ecs-env-secrets", cfn_ecs_env_secrets),
    ("iac.aws.ecs-efs-transit-unencrypted", tf_ecs_efs_transit),
    ("iac.aws.ecs-efs-transit-unencrypted", cfn_ecs_efs_transit),
    ("iac.aws.ecs-host-namespace", tf_ecs_host_namespace),
    ("iac.aws.ecs-host-namespace", cfn_ecs_host_namespace),
    ("iac.aws.batch-privileged-container", tf_batch_privileged),
    ("iac.aws.batch-privileged-container", cfn_batch_privileged),
    ("iac.aws.transfer-ftp-enabled", tf_transfer_ftp),
    ("iac.aws.transfer-ftp-enabled", cfn_transfer_ftp),
    (
        "iac.aws.eks-control-plane-logging-off",
        tf_eks_control_plane_logging,
    ),
    (
        "iac.aws.eks-control-plane-logging-off",
        cfn_eks_control_plane_logging,
    ),
    (
        "iac.aws.apigw-stage-no-access-log",
        tf_apigw_stage_no_access_log,
    ),
    (
        "iac.aws.apigw-stage-no-access-log",
        cfn_apigw_stage_no_access_log,
    ),
    ("iac.aws.elb-access-logs-off", tf_elb_access_logs_off),
    ("iac.aws.elb-access-logs-off", cfn_elb_access_logs_off),
    ("iac.aws.ecs-service-public-ip", tf_ecs_service_public_ip),
    ("iac.aws.ecs-service-public-ip", cfn_ecs_service_public_ip),
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

/// The ingress rules of a Terraform security group or rule document, with its address.
fn tf_ingress_rules(doc: &Document) -> Option<(&str, Vec<&Node>)> {
    let (addr, config) = resource(
        doc,
        &[
            "aws_security_group",
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
        ],
    )?;
    let mut rules: Vec<&Node> = Vec::new();
    match doc.root.field("type").as_str() {
        Some("aws_security_group") => rules.extend(config.field("ingress").items()),
        Some("aws_security_group_rule") if config.field("type").as_str() == Some("ingress") => {
            rules.push(config)
        }
        Some("aws_vpc_security_group_ingress_rule") => rules.push(config),
        _ => {}
    }
    Some((addr, rules))
}

fn tf_sg_admin_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, rules)) = tf_ingress_rules(doc) else {
        return;
    };
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
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_instance",
            "aws_launch_template",
            "aws_launch_configuration",
        ],
    ) else {
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

/// The IP protocols a security group or network ACL rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    All,
    Tcp,
    Udp,
    Other,
}

fn proto(text: &str) -> Proto {
    match text.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => Proto::All,
        "tcp" | "6" => Proto::Tcp,
        "udp" | "17" => Proto::Udp,
        _ => Proto::Other,
    }
}

/// A well-known port: number, whether it is served over TCP and over UDP, and the service.
type Port = (u32, bool, bool, &'static str);

/// Databases, caches, search engines and message brokers: their wire protocols were made for
/// private networks.
const DATABASE_PORTS: &[Port] = &[
    (1433, true, false, "SQL Server"),
    (1521, true, false, "Oracle"),
    (3306, true, false, "MySQL"),
    (5432, true, false, "PostgreSQL"),
    (5601, true, false, "Kibana"),
    (5984, true, false, "CouchDB"),
    (6379, true, false, "Redis"),
    (7474, true, false, "Neo4j"),
    (8086, true, false, "InfluxDB"),
    (9042, true, false, "Cassandra"),
    (9092, true, false, "Kafka"),
    (9200, true, false, "Elasticsearch"),
    (9300, true, false, "Elasticsearch transport"),
    (11211, true, true, "Memcached"),
    (27017, true, false, "MongoDB"),
];

/// File sharing, remote control and cluster-internal services, none meant for the internet
/// (SSH and RDP are the admin-ports check's).
const SERVICE_PORTS: &[Port] = &[
    (20, true, false, "FTP data"),
    (21, true, false, "FTP"),
    (23, true, false, "Telnet"),
    (111, true, true, "rpcbind"),
    (135, true, false, "Microsoft RPC"),
    (137, false, true, "NetBIOS name"),
    (138, false, true, "NetBIOS datagram"),
    (139, true, false, "NetBIOS session"),
    (161, false, true, "SNMP"),
    (389, true, true, "LDAP"),
    (445, true, false, "SMB"),
    (873, true, false, "rsync"),
    (2049, true, true, "NFS"),
    (2375, true, false, "Docker API"),
    (2379, true, false, "etcd"),
    (2380, true, false, "etcd peer"),
    (5900, true, false, "VNC"),
    (5985, true, false, "WinRM"),
    (5986, true, false, "WinRM over HTTPS"),
    (10250, true, false, "kubelet"),
];

/// The ports of `list` a rule's protocol and range cover, as `3306 (MySQL)`.
fn covered(list: &[Port], p: Proto, from: f64, to: f64) -> Vec<String> {
    list.iter()
        .filter(|(port, tcp, udp, _)| {
            let by_proto = match p {
                Proto::All => true,
                Proto::Tcp => *tcp,
                Proto::Udp => *udp,
                Proto::Other => false,
            };
            by_proto && from <= f64::from(*port) && f64::from(*port) <= to
        })
        .map(|(port, _, _, name)| format!("{port} ({name})"))
        .collect()
}

/// A list of ports for a message: the first few, and how many more.
fn port_list(ports: &[String]) -> String {
    match ports {
        [] => String::new(),
        [one] => one.clone(),
        [first @ .., last] if ports.len() <= 4 => format!("{} and {last}", first.join(", ")),
        _ => format!(
            "{} and {} more",
            ports.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
            ports.len().saturating_sub(3)
        ),
    }
}

fn is_world(text: &str) -> bool {
    matches!(text.trim(), "0.0.0.0/0" | "::/0" | "::0/0")
}

/// The first world-wide source of a Terraform rule: the attribute to point at and the CIDR.
fn tf_world_source(rule: &Node) -> Option<(&Node, String)> {
    ["cidr_blocks", "cidr_ipv4", "ipv6_cidr_blocks", "cidr_ipv6"]
        .iter()
        .filter_map(|k| rule.get(k).and_then(Node::known))
        .find_map(|v| {
            v.items()
                .into_iter()
                .filter_map(Node::as_str)
                .find(|c| is_world(c))
                .map(|c| (v, c.trim().to_string()))
        })
}

/// A Terraform rule's protocol and port range, when decided; all ports for every protocol.
fn tf_rule_ports(rule: &Node) -> Option<(Proto, f64, f64)> {
    let p = rule
        .get("protocol")
        .or_else(|| rule.get("ip_protocol"))?
        .known()?;
    let p = proto(&scalar(p)?);
    if p == Proto::All {
        return Some((p, 0.0, 65535.0));
    }
    let from = rule.get("from_port")?.known()?.as_f64()?;
    let to = rule.get("to_port")?.known()?.as_f64()?;
    Some((p, from, to))
}

/// A CloudFormation ingress rule open to the world: the CIDR node, its text, the protocol and
/// the port range (`-1` ports meaning all of them).
fn cfn_world_rule(rule: &Node) -> Option<(&Node, String, Proto, f64, f64)> {
    let rule = decided(rule)?;
    let cidr = ["CidrIp", "CidrIpv6"]
        .iter()
        .filter_map(|k| rule.get(k).and_then(decided))
        .find(|c| c.as_str().is_some_and(is_world))?;
    let text = cidr.as_str().unwrap_or_default().trim().to_string();
    let p = proto(&scalar(rule.get("IpProtocol").and_then(decided)?)?);
    if p == Proto::All {
        return Some((cidr, text, p, 0.0, 65535.0));
    }
    let port = |k: &str| rule.get(k).and_then(decided).and_then(Node::as_f64);
    let (from, to) = (port("FromPort")?, port("ToPort")?);
    let (from, to) = if from < 0.0 || to < 0.0 {
        (0.0, 65535.0)
    } else {
        (from, to)
    };
    Some((cidr, text, p, from, to))
}

/// The ingress rules of the template's security groups and standalone ingress resources:
/// the logical id, what it is, and the rules.
fn cfn_ingress_rules(doc: &Document) -> Vec<(&str, &'static str, Vec<&Node>)> {
    let mut out = Vec::new();
    for r in resources(
        doc,
        &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"],
    ) {
        if r.node.field("Type").as_str() == Some("AWS::EC2::SecurityGroup") {
            if let Ok(Some(rules)) = r.prop("SecurityGroupIngress") {
                out.push((r.id, "security group", rules.items()));
            }
        } else {
            out.push((r.id, "ingress rule", vec![r.props]));
        }
    }
    out
}

/// Security-group rules open to the world on the ports of `list`; rules the admin-ports check
/// reports, and ports of the lists in `before`, are left to those checks.
fn tf_sg_ports(doc: &Document, hits: &mut Vec<Hit>, list: &[Port], before: &[&[Port]]) {
    let Some((addr, rules)) = tf_ingress_rules(doc) else {
        return;
    };
    for rule in rules {
        let (Some((at, cidr)), Some((p, from, to))) = (tf_world_source(rule), tf_rule_ports(rule))
        else {
            continue;
        };
        if exposed(rule).is_some() || before.iter().any(|l| !covered(l, p, from, to).is_empty()) {
            continue;
        }
        let ports = covered(list, p, from, to);
        if !ports.is_empty() {
            hits.push(
                Hit::at(
                    at,
                    format!(
                        "{addr} opens port {} to the whole internet ({cidr})",
                        port_list(&ports)
                    ),
                )
                .with_identity(format!("{addr}/{cidr}/{from}-{to}")),
            );
        }
    }
}

fn cfn_sg_ports(doc: &Document, hits: &mut Vec<Hit>, list: &[Port], before: &[&[Port]]) {
    for (id, what, rules) in cfn_ingress_rules(doc) {
        for rule in rules {
            let Some((at, cidr, p, from, to)) = cfn_world_rule(rule) else {
                continue;
            };
            if open_admin_rule(rule).is_some()
                || before.iter().any(|l| !covered(l, p, from, to).is_empty())
            {
                continue;
            }
            let ports = covered(list, p, from, to);
            if !ports.is_empty() {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "{what} `{id}` opens port {} to the whole internet ({cidr})",
                            port_list(&ports)
                        ),
                    )
                    .with_identity(format!("{id}/{cidr}/{from}-{to}")),
                );
            }
        }
    }
}

fn tf_sg_database_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    tf_sg_ports(doc, hits, DATABASE_PORTS, &[]);
}

fn cfn_sg_database_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_sg_ports(doc, hits, DATABASE_PORTS, &[]);
}

fn tf_sg_service_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    tf_sg_ports(doc, hits, SERVICE_PORTS, &[DATABASE_PORTS]);
}

fn cfn_sg_service_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_sg_ports(doc, hits, SERVICE_PORTS, &[DATABASE_PORTS]);
}

fn tf_default_sg_has_rules(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_default_security_group"]) else {
        return;
    };
    let ingress = config.field("ingress").items();
    let egress = config.field("egress").items();
    let Some(first) = ingress.first().or(egress.first()) else {
        return;
    };
    hits.push(
        Hit::at(
            first,
            format!(
                "{addr} keeps {} ingress and {} egress rule(s) in the VPC's default security group, which applies to anything launched without a group of its own",
                ingress.len(),
                egress.len()
            ),
        )
        .with_identity(addr.to_string()),
    );
}

/// Remote administration over TCP, as network ACLs see it.
fn nacl_admin_ports(p: Proto, from: f64, to: f64) -> Vec<String> {
    let tcp = matches!(p, Proto::All | Proto::Tcp);
    ADMIN_PORTS
        .iter()
        .filter(|(port, _)| tcp && from <= f64::from(*port) && f64::from(*port) <= to)
        .map(|(port, name)| format!("{port} ({name})"))
        .collect()
}

/// A Terraform network ACL rule that allows world ingress to admin ports: its source attribute,
/// the CIDR, the rule number and the ports.
fn tf_nacl_rule<'a>(
    rule: &'a Node,
    action_key: &str,
) -> Option<(&'a Node, String, f64, Vec<String>)> {
    let action = rule.get(action_key)?.known()?.as_str()?;
    if !action.eq_ignore_ascii_case("allow") {
        return None;
    }
    let (at, cidr) = ["cidr_block", "ipv6_cidr_block"]
        .iter()
        .filter_map(|k| rule.get(k).and_then(Node::known))
        .find_map(|v| {
            v.as_str()
                .filter(|c| is_world(c))
                .map(|c| (v, c.trim().to_string()))
        })?;
    let p = proto(&scalar(rule.get("protocol")?.known()?)?);
    let (from, to) = if p == Proto::All {
        (0.0, 65535.0)
    } else {
        (
            rule.get("from_port")?.known()?.as_f64()?,
            rule.get("to_port")?.known()?.as_f64()?,
        )
    };
    let number = rule
        .get("rule_no")
        .or_else(|| rule.get("rule_number"))
        .and_then(Node::known)
        .and_then(Node::as_f64)
        .unwrap_or(f64::MAX);
    let ports = nacl_admin_ports(p, from, to);
    (!ports.is_empty()).then_some((at, cidr, number, ports))
}

/// Whether an inline deny rule numbered below `number` already blocks the world on `port`.
fn tf_nacl_denied_before(rules: &[&Node], number: f64, port: &str) -> bool {
    let port: f64 = port
        .split(' ')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(-1.0);
    rules.iter().any(|r| {
        let deny = r
            .get("action")
            .and_then(Node::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("deny"));
        let n = r.get("rule_no").and_then(Node::as_f64).unwrap_or(f64::MAX);
        let world = ["cidr_block", "ipv6_cidr_block"]
            .iter()
            .any(|k| r.get(k).and_then(Node::as_str).is_some_and(is_world));
        let covers = match r.get("protocol").and_then(scalar).map(|p| proto(&p)) {
            Some(Proto::All) => true,
            Some(Proto::Tcp) => {
                let from = r
                    .get("from_port")
                    .and_then(Node::as_f64)
                    .unwrap_or(f64::MAX);
                let to = r.get("to_port").and_then(Node::as_f64).unwrap_or(-1.0);
                from <= port && port <= to
            }
            _ => false,
        };
        deny && n < number && world && covers
    })
}

fn tf_nacl_admin_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, &["aws_network_acl", "aws_default_network_acl"]) {
        let rules = config.field("ingress").items();
        for rule in &rules {
            let Some((at, cidr, number, ports)) = tf_nacl_rule(rule, "action") else {
                continue;
            };
            let open: Vec<String> = ports
                .into_iter()
                .filter(|p| !tf_nacl_denied_before(&rules, number, p))
                .collect();
            if !open.is_empty() {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "{addr} allows inbound port {} from {cidr}",
                            open.join(" and ")
                        ),
                    )
                    .with_identity(format!("{addr}/{number}")),
                );
            }
        }
    }
    if let Some((addr, config)) = resource(doc, &["aws_network_acl_rule"]) {
        if config
            .get("egress")
            .is_some_and(|e| !e.is_null() && e.known().and_then(Node::as_bool) != Some(false))
        {
            return;
        }
        if let Some((at, cidr, _, ports)) = tf_nacl_rule(config, "rule_action") {
            hits.push(
                Hit::at(
                    at,
                    format!(
                        "{addr} allows inbound port {} from {cidr}",
                        ports.join(" and ")
                    ),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_nacl_admin_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EC2::NetworkAclEntry"]) {
        let egress = match r.prop("Egress") {
            Err(()) => continue,
            Ok(None) => false,
            Ok(Some(v)) => v.as_bool() != Some(false),
        };
        let allow = matches!(r.prop("RuleAction"), Ok(Some(a)) if a.as_str().is_some_and(|a| a.eq_ignore_ascii_case("allow")));
        if egress || !allow {
            continue;
        }
        let Some(cidr) = ["CidrBlock", "Ipv6CidrBlock"]
            .iter()
            .filter_map(|k| r.props.get(k).and_then(decided))
            .find(|c| c.as_str().is_some_and(is_world))
        else {
            continue;
        };
        let Some(p) = r.props.get("Protocol").and_then(decided).and_then(scalar) else {
            continue;
        };
        let p = proto(&p);
        let (from, to) = if p == Proto::All {
            (0.0, 65535.0)
        } else {
            let range = r.props.get("PortRange").and_then(decided);
            let port = |k: &str| {
                range
                    .and_then(|x| x.get(k))
                    .and_then(decided)
                    .and_then(Node::as_f64)
            };
            let (Some(from), Some(to)) = (port("From"), port("To")) else {
                continue;
            };
            (from, to)
        };
        let ports = nacl_admin_ports(p, from, to);
        if !ports.is_empty() {
            hits.push(
                Hit::at(
                    cidr,
                    format!(
                        "network ACL entry `{}` allows inbound port {} from {}",
                        r.id,
                        ports.join(" and "),
                        cidr.as_str().unwrap_or_default().trim()
                    ),
                )
                .with_identity(r.id),
            );
        }
    }
}

fn tf_subnet_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_subnet", "aws_default_subnet"]) else {
        return;
    };
    if let Some(v) = config.get("map_public_ip_on_launch").and_then(Node::known) {
        if v.as_bool() == Some(true) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} gives every instance launched in it a public IP address"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_subnet_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EC2::Subnet"]) {
        if let Ok(Some(v)) = r.prop("MapPublicIpOnLaunch") {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "subnet `{}` gives every instance launched in it a public IP address",
                            r.id
                        ),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

fn tf_default_vpc_used(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, _)) = resource(doc, &["aws_default_vpc"]) else {
        return;
    };
    hits.push(
        Hit::at(
            &doc.root,
            format!("{addr} brings the region's default VPC under management: its subnets are public and give instances public IP addresses"),
        )
        .with_identity(addr.to_string()),
    );
}

fn cfn_ec2_imdsv1(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &[
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
    ) {
        let options = if r.node.field("Type").as_str() == Some("AWS::EC2::LaunchTemplate") {
            let Ok(Some(data)) = r.prop("LaunchTemplateData") else {
                continue;
            };
            data.get("MetadataOptions")
        } else {
            r.props.get("MetadataOptions")
        };
        let options = match options {
            None => None,
            Some(o) => match decided(o) {
                None => continue,
                some => some,
            },
        };
        let endpoint = options.and_then(|o| o.get("HttpEndpoint"));
        if endpoint.is_some_and(|e| decided(e).is_none()) {
            continue;
        }
        if endpoint
            .and_then(Node::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("disabled"))
        {
            continue;
        }
        match options.and_then(|o| o.get("HttpTokens")) {
            Some(t) => {
                let Some(t) = decided(t) else { continue };
                if t.as_str() != Some("required") {
                    hits.push(
                        Hit::at(
                            t,
                            format!("`{}` allows IMDSv1 (HttpTokens is not \"required\")", r.id),
                        )
                        .with_identity(r.id),
                    );
                }
            }
            None => hits.push(
                Hit::at(
                    r.anchor(),
                    format!(
                        "`{}` allows IMDSv1: set MetadataOptions HttpTokens to \"required\"",
                        r.id
                    ),
                )
                .with_identity(r.id),
            ),
        }
    }
}

fn tf_ec2_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_instance",
            "aws_launch_template",
            "aws_launch_configuration",
        ],
    ) else {
        return;
    };
    let mut places = vec![config];
    places.extend(config.field("network_interfaces").items());
    for place in places {
        if let Some(v) = place
            .get("associate_public_ip_address")
            .and_then(Node::known)
        {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(v, format!("{addr} gives its instances a public IP address"))
                        .with_identity(addr.to_string()),
                );
            }
        }
    }
}

fn cfn_ec2_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &[
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
    ) {
        let mut values: Vec<&Node> = Vec::new();
        let interfaces = match r.node.field("Type").as_str() {
            Some("AWS::EC2::LaunchTemplate") => match r.prop("LaunchTemplateData") {
                Ok(Some(data)) => data.get("NetworkInterfaces"),
                _ => None,
            },
            Some("AWS::EC2::Instance") => r.props.get("NetworkInterfaces"),
            _ => {
                values.extend(r.props.get("AssociatePublicIpAddress"));
                None
            }
        };
        if let Some(list) = interfaces.and_then(decided) {
            values.extend(
                list.items()
                    .into_iter()
                    .filter_map(decided)
                    .filter_map(|i| i.get("AssociatePublicIpAddress")),
            );
        }
        for v in values.into_iter().filter_map(decided) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(
                        v,
                        format!("`{}` gives its instances a public IP address", r.id),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

/// The standard base64 alphabet's value of a byte.
fn base64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// The text a base64 string encodes, when it is base64 of UTF-8 text.
fn base64_text(s: &str) -> Option<String> {
    let s: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .take_while(|b| *b != b'=')
        .collect();
    if s.len() < 8 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s {
        acc = (acc << 6) | base64_value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    String::from_utf8(out).ok()
}

/// Names whose values are credentials (compared lower-case, `-` read as `_`, by suffix).
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "secret_key",
    "secretkey",
    "secret_access_key",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "client_secret",
];

fn secret_name(name: &str) -> bool {
    let n = name
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase()
        .replace('-', "_");
    SECRET_NAMES.iter().any(|s| n.ends_with(s))
}

/// A value written in clear, not a reference to one: no shell or template expansion, not a
/// placeholder, a number or a flag word.
fn literal_secret(value: &str) -> bool {
    let v = value
        .trim()
        .trim_end_matches([';', ','])
        .trim_matches(|c| c == '"' || c == '\'');
    if v.len() < 8 || v.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    let references = [
        "$", "{{", "`", "<", "%", "arn:aws", "/", "@@", "http://", "https://",
    ];
    if references.iter().any(|r| lower.starts_with(r))
        || lower.contains("${")
        || lower.contains("$(")
    {
        return false;
    }
    let placeholders = [
        "required",
        "optional",
        "changeme",
        "placeholder",
        "example",
        "redacted",
        "xxxxxxxx",
        "********",
    ];
    !placeholders.iter().any(|p| lower.contains(p))
        && !matches!(lower.as_str(), "true" | "false" | "null" | "none")
}

/// An AWS access key id (`AKIA` or `ASIA` and sixteen upper-case letters or digits).
fn access_key_id(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(20).enumerate().any(|(i, w)| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 20).is_none_or(|c| !c.is_ascii_alphanumeric())
            && !w.ends_with(b"EXAMPLE")
    })
}

/// What credential a script or configuration text holds in clear, if any.
fn secret_in_text(text: &str) -> Option<String> {
    if access_key_id(text) {
        return Some("an AWS access key id".to_string());
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") {
        return Some("a private key".to_string());
    }
    for line in text.lines() {
        let bytes = line.as_bytes();
        for (i, c) in bytes.iter().enumerate() {
            if *c != b'=' && *c != b':' {
                continue;
            }
            let name_start = line[..i]
                .char_indices()
                .rev()
                .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || "_-.\"'".contains(*ch)))
                .map_or(0, |(p, ch)| p + ch.len_utf8());
            let name = line.get(name_start..i).unwrap_or_default();
            if name.is_empty() || !secret_name(name) {
                continue;
            }
            let rest = line[i + 1..].trim_start_matches([' ', '=']);
            let value = rest.split_whitespace().next().unwrap_or_default();
            if literal_secret(value) {
                let name = name.trim_matches(|c| c == '"' || c == '\'');
                return Some(format!("a literal value for `{name}`"));
            }
        }
        // `aws configure set aws_secret_access_key VALUE`
        let mut words = line.split_whitespace();
        while let Some(w) = words.next() {
            if w.eq_ignore_ascii_case("aws_secret_access_key") {
                if words.next().is_some_and(literal_secret) {
                    return Some("a literal value for `aws_secret_access_key`".to_string());
                }
                break;
            }
        }
    }
    None
}

/// User data as text: decoded when it is base64.
fn user_data_text(s: &str, encoded: bool) -> String {
    let looks_encoded = !s.trim().contains(char::is_whitespace) && s.trim().len() >= 16;
    if encoded || looks_encoded {
        if let Some(text) = base64_text(s) {
            return text;
        }
    }
    s.to_string()
}

fn tf_ec2_user_data_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_instance",
            "aws_launch_template",
            "aws_launch_configuration",
        ],
    ) else {
        return;
    };
    let template = doc.root.field("type").as_str() == Some("aws_launch_template");
    for (key, encoded) in [("user_data", template), ("user_data_base64", true)] {
        let Some(v) = config.get(key).and_then(Node::known) else {
            continue;
        };
        let Some(text) = v.as_str() else { continue };
        if let Some(what) = secret_in_text(&user_data_text(text, encoded)) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} writes {what} into its user data, which anyone who can describe the instance or read its metadata sees"),
                )
                .with_identity(format!("{addr}/{key}")),
            );
        }
    }
}

/// The literal text of a CloudFormation value: strings, the template of `Fn::Sub`, the
/// literal parts of `Fn::Join`, through `Fn::Base64`.
fn cfn_literal_text(node: &Node) -> Option<String> {
    if let Some(s) = node.as_str() {
        return Some(s.to_string());
    }
    let [(key, inner)] = node.as_object()? else {
        return None;
    };
    match key.as_str() {
        "Fn::Base64" => cfn_literal_text(inner),
        "Fn::Sub" => match inner.as_array() {
            Some([template, ..]) => template.as_str().map(str::to_string),
            _ => inner.as_str().map(str::to_string),
        },
        "Fn::Join" => {
            let [sep, parts] = inner.as_array()? else {
                return None;
            };
            let sep = sep.as_str().unwrap_or_default();
            let parts: Vec<String> = parts
                .as_array()?
                .iter()
                .filter_map(cfn_literal_text)
                .collect();
            Some(parts.join(sep))
        }
        _ => None,
    }
}

fn cfn_ec2_user_data_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &[
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
    ) {
        let data = if r.node.field("Type").as_str() == Some("AWS::EC2::LaunchTemplate") {
            match r.prop("LaunchTemplateData") {
                Ok(Some(d)) => d.get("UserData"),
                _ => None,
            }
        } else {
            r.props.get("UserData")
        };
        let Some(data) = data.and_then(Node::known) else {
            continue;
        };
        let Some(text) = cfn_literal_text(data) else {
            continue;
        };
        let encoded = data.as_str().is_some();
        if let Some(what) = secret_in_text(&user_data_text(&text, encoded)) {
            hits.push(
                Hit::at(
                    data,
                    format!("`{}` writes {what} into its user data, which anyone who can describe the instance or read its metadata sees", r.id),
                )
                .with_identity(format!("{}/UserData", r.id)),
            );
        }
    }
}

/// Terraform block devices whose encryption is off or left to account defaults: the node to
/// point at and the device.
fn tf_unencrypted_devices(config: &Node) -> Vec<(&Node, String)> {
    fn check<'a>(out: &mut Vec<(&'a Node, String)>, device: &'a Node, name: String) {
        let from_snapshot = device.get("snapshot_id").is_some_and(|s| !s.is_null());
        match device.get("encrypted") {
            Some(v) if v.is_unknown() || v.as_bool() == Some(true) => {}
            Some(v) if !v.is_null() => out.push((v, name)),
            _ if from_snapshot => {}
            _ => out.push((device, name)),
        }
    }
    let mut out = Vec::new();
    for d in config.field("root_block_device").items() {
        check(&mut out, d, "root volume".to_string());
    }
    for d in config.field("ebs_block_device").items() {
        let name = d.field("device_name").as_str().unwrap_or("volume");
        check(&mut out, d, format!("volume {name}"));
    }
    for m in config.field("block_device_mappings").items() {
        let name = m.field("device_name").as_str().unwrap_or("volume");
        for e in m.field("ebs").items() {
            check(&mut out, e, format!("volume {name}"));
        }
    }
    out
}

fn tf_ec2_block_device_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_instance",
            "aws_launch_template",
            "aws_launch_configuration",
        ],
    ) else {
        return;
    };
    for (at, device) in tf_unencrypted_devices(config) {
        hits.push(
            Hit::at(
                at,
                format!("{addr} does not encrypt its {device} (`encrypted` is not true)"),
            )
            .with_identity(format!("{addr}/{device}")),
        );
    }
}

fn cfn_ec2_block_device_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &[
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
    ) {
        let mappings = if r.node.field("Type").as_str() == Some("AWS::EC2::LaunchTemplate") {
            match r.prop("LaunchTemplateData") {
                Ok(Some(d)) => d.get("BlockDeviceMappings"),
                _ => None,
            }
        } else {
            r.props.get("BlockDeviceMappings")
        };
        let Some(mappings) = mappings.and_then(decided) else {
            continue;
        };
        for m in mappings.items().into_iter().filter_map(decided) {
            let Some(ebs) = m.get("Ebs").and_then(decided) else {
                continue;
            };
            let device = m
                .get("DeviceName")
                .and_then(Node::as_str)
                .unwrap_or("volume");
            let hit = match ebs.get("Encrypted") {
                None if ebs.get("SnapshotId").is_some() => None,
                None => Some(Hit::at(
                    ebs,
                    format!(
                        "`{}` does not set Encrypted on {device}: the volume is encrypted only if the account turns on EBS encryption by default",
                        r.id
                    ),
                )),
                Some(v) => decided(v).filter(|v| v.as_bool() != Some(true)).map(|v| {
                    Hit::at(v, format!("`{}` leaves {device} unencrypted", r.id))
                }),
            };
            if let Some(hit) = hit {
                hits.push(hit.with_identity(format!("{}/{device}", r.id)));
            }
        }
    }
}

fn tf_ami_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ami_launch_permission"]) else {
        return;
    };
    if let Some(v) = config.get("group").and_then(Node::known) {
        if v.as_str() == Some("all") {
            hits.push(
                Hit::at(v, format!("{addr} lets every AWS account launch the image"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

fn tf_eks_node_ssh_open(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_eks_node_group"]) else {
        return;
    };
    let Some(access) = block(config, "remote_access") else {
        return;
    };
    let Some(key) = access.get("ec2_ssh_key").and_then(Node::known) else {
        return;
    };
    if key.is_null() {
        return;
    }
    match access.get("source_security_group_ids") {
        Some(s) if s.is_unknown() => {}
        Some(s) if !s.items().is_empty() => {}
        _ => hits.push(
            Hit::at(
                key,
                format!("{addr} allows SSH with a key pair but names no source_security_group_ids, so EKS opens port 22 on the nodes to 0.0.0.0/0"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

fn cfn_eks_node_ssh_open(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EKS::Nodegroup"]) {
        let Ok(Some(access)) = r.prop("RemoteAccess") else {
            continue;
        };
        let Some(key) = access.get("Ec2SshKey") else {
            continue;
        };
        match access.get("SourceSecurityGroups") {
            Some(s) if decided(s).is_none() || !s.items().is_empty() => {}
            _ => hits.push(
                Hit::at(
                    key,
                    format!("node group `{}` allows SSH with a key pair but names no SourceSecurityGroups, so EKS opens port 22 on the nodes to 0.0.0.0/0", r.id),
                )
                .with_identity(r.id),
            ),
        }
    }
}

/// Whether listener default actions send clients elsewhere over HTTPS or answer without
/// reaching a target: `None` when an action is not decided.
fn tf_redirects_to_https(actions: &[&Node]) -> Option<bool> {
    let mut safe = !actions.is_empty();
    for a in actions {
        let kind = a.get("type")?.known()?.as_str()?.to_ascii_lowercase();
        let ok = match kind.as_str() {
            "fixed-response" => true,
            "redirect" => {
                let p = block(a, "redirect").and_then(|r| r.get("protocol"));
                match p {
                    Some(p) => p.known()?.as_str().is_some_and(|p| p == "HTTPS"),
                    None => false,
                }
            }
            _ => false,
        };
        safe &= ok;
    }
    Some(safe)
}

fn tf_elb_http_listener(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, &["aws_lb_listener", "aws_alb_listener"]) {
        let Some(p) = config.get("protocol").and_then(Node::known) else {
            return;
        };
        if p.as_str() != Some("HTTP") {
            return;
        }
        if tf_redirects_to_https(&config.field("default_action").items()) == Some(false) {
            hits.push(
                Hit::at(
                    p,
                    format!("{addr} serves plain HTTP without redirecting clients to HTTPS"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
    if let Some((addr, config)) = resource(doc, &["aws_elb"]) {
        for l in config.field("listener").items() {
            let Some(p) = l.get("lb_protocol").and_then(Node::known) else {
                continue;
            };
            if p.as_str().is_some_and(|p| p.eq_ignore_ascii_case("http")) {
                let port = l.field("lb_port").as_f64().unwrap_or(0.0);
                hits.push(
                    Hit::at(p, format!("{addr} accepts plain HTTP on port {port}"))
                        .with_identity(format!("{addr}/{port}")),
                );
            }
        }
    }
}

fn cfn_elb_http_listener(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ElasticLoadBalancingV2::Listener"]) {
        let Ok(Some(p)) = r.prop("Protocol") else {
            continue;
        };
        if p.as_str() != Some("HTTP") {
            continue;
        }
        let Ok(Some(actions)) = r.prop("DefaultActions") else {
            continue;
        };
        let mut safe = true;
        let mut decided_all = true;
        for a in actions.items() {
            let Some(kind) = decided(a)
                .and_then(|a| a.get("Type"))
                .and_then(decided)
                .and_then(Node::as_str)
            else {
                decided_all = false;
                continue;
            };
            safe &= match kind.to_ascii_lowercase().as_str() {
                "fixed-response" => true,
                "redirect" => match a.path(&["RedirectConfig", "Protocol"]) {
                    Some(v) if decided(v).is_none() => {
                        decided_all = false;
                        true
                    }
                    Some(v) => v.as_str() == Some("HTTPS"),
                    None => false,
                },
                _ => false,
            };
        }
        if decided_all && !safe {
            hits.push(
                Hit::at(
                    p,
                    format!(
                        "listener `{}` serves plain HTTP without redirecting clients to HTTPS",
                        r.id
                    ),
                )
                .with_identity(r.id),
            );
        }
    }
    for r in resources(doc, &["AWS::ElasticLoadBalancing::LoadBalancer"]) {
        let Ok(Some(listeners)) = r.prop("Listeners") else {
            continue;
        };
        for l in listeners.items().into_iter().filter_map(decided) {
            let Some(p) = l.get("Protocol").and_then(decided) else {
                continue;
            };
            if p.as_str().is_some_and(|p| p.eq_ignore_ascii_case("http")) {
                let port = l.field("LoadBalancerPort").as_f64().unwrap_or(0.0);
                hits.push(
                    Hit::at(
                        p,
                        format!("load balancer `{}` accepts plain HTTP on port {port}", r.id),
                    )
                    .with_identity(format!("{}/{port}", r.id)),
                );
            }
        }
    }
}

/// Whether a predefined Elastic Load Balancing security policy refuses TLS below 1.2.
fn modern_elb_policy(name: &str) -> bool {
    ["TLS-1-2", "FS-1-2", "TLS13-1-2", "TLS13-1-3"]
        .iter()
        .any(|v| name.contains(v))
}

fn tf_elb_outdated_tls_policy(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_lb_listener", "aws_alb_listener"]) else {
        return;
    };
    let Some(policy) = config.get("ssl_policy").and_then(Node::known) else {
        return;
    };
    if let Some(name) = policy.as_str().filter(|n| !n.is_empty()) {
        if name.starts_with("ELBSecurityPolicy") && !modern_elb_policy(name) {
            hits.push(
                Hit::at(
                    policy,
                    format!("{addr} uses {name}, which still accepts TLS 1.0 or 1.1"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_elb_outdated_tls_policy(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ElasticLoadBalancingV2::Listener"]) {
        let Ok(Some(policy)) = r.prop("SslPolicy") else {
            continue;
        };
        if let Some(name) = policy.as_str() {
            if name.starts_with("ELBSecurityPolicy") && !modern_elb_policy(name) {
                hits.push(
                    Hit::at(
                        policy,
                        format!(
                            "listener `{}` uses {name}, which still accepts TLS 1.0 or 1.1",
                            r.id
                        ),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

/// A Terraform load balancer that is an Application Load Balancer (the default type).
fn tf_alb(doc: &Document) -> Option<(&str, &Node)> {
    let (addr, config) = resource(doc, &["aws_lb", "aws_alb"])?;
    match config.get("load_balancer_type") {
        None => Some((addr, config)),
        Some(t) if t.is_null() => Some((addr, config)),
        Some(t) => (t.known()?.as_str()? == "application").then_some((addr, config)),
    }
}

/// A CloudFormation load balancer's attribute value: `Err` when it cannot be decided.
fn cfn_lb_attribute<'a>(attributes: Option<&'a Node>, key: &str) -> Result<Option<&'a Node>, ()> {
    let Some(attributes) = attributes else {
        return Ok(None);
    };
    let attributes = decided(attributes).ok_or(())?;
    let mut found = None;
    for a in attributes.items() {
        let a = decided(a).ok_or(())?;
        match a.get("Key").map(decided) {
            Some(Some(k)) if k.as_str() == Some(key) => {
                found = Some(a.get("Value").and_then(decided).ok_or(())?);
            }
            Some(None) => return Err(()),
            _ => {}
        }
    }
    Ok(found)
}

/// CloudFormation Application Load Balancers (the default type).
fn cfn_albs(doc: &Document) -> Vec<super::super::cloudformation::Resource<'_>> {
    resources(doc, &["AWS::ElasticLoadBalancingV2::LoadBalancer"])
        .into_iter()
        .filter(|r| match r.prop("Type") {
            Ok(None) => true,
            Ok(Some(t)) => t.as_str() == Some("application"),
            Err(()) => false,
        })
        .collect()
}

fn tf_alb_drop_invalid_headers_off(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = tf_alb(doc) else {
        return;
    };
    match config.get("drop_invalid_header_fields") {
        Some(v) if v.is_unknown() || v.as_bool() == Some(true) => {}
        Some(v) if !v.is_null() => hits.push(
            Hit::at(
                v,
                format!("{addr} forwards requests with invalid HTTP header names to its targets"),
            )
            .with_identity(addr.to_string()),
        ),
        _ => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} forwards requests with invalid HTTP header names to its targets (`drop_invalid_header_fields` defaults to false)"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

const DROP_HEADERS: &str = "routing.http.drop_invalid_header_fields.enabled";

fn cfn_alb_drop_invalid_headers_off(doc: &Document, hits: &mut Vec<Hit>) {
    for r in cfn_albs(doc) {
        match cfn_lb_attribute(r.props.get("LoadBalancerAttributes"), DROP_HEADERS) {
            Err(()) => {}
            Ok(None) => hits.push(
                Hit::at(
                    r.anchor(),
                    format!("load balancer `{}` does not set {DROP_HEADERS}, so requests with invalid header names reach its targets", r.id),
                )
                .with_identity(r.id),
            ),
            Ok(Some(v)) => {
                if v.as_bool() != Some(true) {
                    hits.push(
                        Hit::at(
                            v,
                            format!("load balancer `{}` forwards requests with invalid HTTP header names to its targets", r.id),
                        )
                        .with_identity(r.id),
                    );
                }
            }
        }
    }
}

fn tf_alb_desync_monitor(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = tf_alb(doc) else {
        return;
    };
    if let Some(v) = config.get("desync_mitigation_mode").and_then(Node::known) {
        if v.as_str() == Some("monitor") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} forwards requests that risk HTTP desync (request smuggling) to its targets"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_alb_desync_monitor(doc: &Document, hits: &mut Vec<Hit>) {
    for r in cfn_albs(doc) {
        let key = "routing.http.desync_mitigation_mode";
        if let Ok(Some(v)) = cfn_lb_attribute(r.props.get("LoadBalancerAttributes"), key) {
            if v.as_str() == Some("monitor") {
                hits.push(
                    Hit::at(
                        v,
                        format!("load balancer `{}` forwards requests that risk HTTP desync (request smuggling) to its targets", r.id),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

fn tf_cloudfront_allows_http(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_cloudfront_distribution"]) else {
        return;
    };
    let behaviors = config
        .field("default_cache_behavior")
        .items()
        .into_iter()
        .map(|b| (b, "default cache behavior".to_string()))
        .chain(
            config
                .field("ordered_cache_behavior")
                .items()
                .into_iter()
                .map(|b| {
                    let path = b.field("path_pattern").as_str().unwrap_or("?");
                    (b, format!("cache behavior {path}"))
                }),
        );
    for (b, name) in behaviors {
        if let Some(v) = b.get("viewer_protocol_policy").and_then(Node::known) {
            if v.as_str() == Some("allow-all") {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} serves its {name} over plain HTTP (allow-all)"),
                    )
                    .with_identity(format!("{addr}/{name}")),
                );
            }
        }
    }
}

fn cfn_cloudfront_allows_http(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudFront::Distribution"]) {
        let Ok(Some(config)) = r.prop("DistributionConfig") else {
            continue;
        };
        let mut behaviors: Vec<(&Node, String)> = Vec::new();
        if let Some(b) = config.get("DefaultCacheBehavior").and_then(decided) {
            behaviors.push((b, "default cache behavior".to_string()));
        }
        if let Some(list) = config.get("CacheBehaviors").and_then(decided) {
            for b in list.items().into_iter().filter_map(decided) {
                let path = b.field("PathPattern").as_str().unwrap_or("?");
                behaviors.push((b, format!("cache behavior {path}")));
            }
        }
        for (b, name) in behaviors {
            if let Some(v) = b.get("ViewerProtocolPolicy").and_then(decided) {
                if v.as_str() == Some("allow-all") {
                    hits.push(
                        Hit::at(
                            v,
                            format!(
                                "distribution `{}` serves its {name} over plain HTTP (allow-all)",
                                r.id
                            ),
                        )
                        .with_identity(format!("{}/{name}", r.id)),
                    );
                }
            }
        }
    }
}

fn modern_cloudfront_tls(v: &str) -> bool {
    v.starts_with("TLSv1.2") || v.starts_with("TLSv1.3")
}

fn tf_cloudfront_outdated_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_cloudfront_distribution"]) else {
        return;
    };
    let Some(cert) = block(config, "viewer_certificate") else {
        return;
    };
    // The default *.cloudfront.net certificate always accepts TLS 1.0.
    let custom = ["acm_certificate_arn", "iam_certificate_id"]
        .iter()
        .any(|k| cert.get(k).is_some_and(|v| !v.is_null()));
    if !custom {
        return;
    }
    match cert.get("minimum_protocol_version") {
        Some(v) if v.is_unknown() => {}
        Some(v) if !v.is_null() => {
            if let Some(name) = v.as_str().filter(|n| !modern_cloudfront_tls(n)) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} accepts viewers on {name}, below TLS 1.2"),
                    )
                    .with_identity(addr.to_string()),
                );
            }
        }
        _ => hits.push(
            Hit::at(
                cert,
                format!("{addr} accepts viewers on TLS 1.0 (`minimum_protocol_version` defaults to TLSv1)"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

fn cfn_cloudfront_outdated_tls(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudFront::Distribution"]) {
        let Ok(Some(config)) = r.prop("DistributionConfig") else {
            continue;
        };
        let Some(v) = config
            .get("ViewerCertificate")
            .and_then(decided)
            .and_then(|c| c.get("MinimumProtocolVersion"))
            .and_then(decided)
        else {
            continue;
        };
        if let Some(name) = v.as_str().filter(|n| !modern_cloudfront_tls(n)) {
            hits.push(
                Hit::at(
                    v,
                    format!(
                        "distribution `{}` accepts viewers on {name}, below TLS 1.2",
                        r.id
                    ),
                )
                .with_identity(r.id),
            );
        }
    }
}

fn tf_cloudfront_no_waf(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_cloudfront_distribution"]) else {
        return;
    };
    match config.get("web_acl_id") {
        Some(v) if v.is_unknown() => {}
        Some(v) if v.as_str().is_some_and(|s| !s.is_empty()) => {}
        _ => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} has no web ACL (`web_acl_id`): no AWS WAF rules filter requests before they reach the origins"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

fn cfn_cloudfront_no_waf(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudFront::Distribution"]) {
        let Ok(Some(config)) = r.prop("DistributionConfig") else {
            continue;
        };
        match config.get("WebACLId") {
            Some(v) if decided(v).is_none() => {}
            Some(v) if v.as_str().is_some_and(|s| !s.is_empty()) => {}
            _ => hits.push(
                Hit::at(
                    r.anchor(),
                    format!("distribution `{}` has no WebACLId: no AWS WAF rules filter requests before they reach the origins", r.id),
                )
                .with_identity(r.id),
            ),
        }
    }
}

/// What is wrong with how CloudFront talks to a custom origin: plain HTTP, or SSLv3 allowed.
fn origin_problem(policy: Option<&str>, protocols: &[&str]) -> Option<String> {
    if policy == Some("http-only") {
        return Some("over plain HTTP (http-only)".to_string());
    }
    protocols
        .iter()
        .any(|p| p.eq_ignore_ascii_case("SSLv3"))
        .then(|| "allowing SSLv3".to_string())
}

fn tf_cloudfront_origin_insecure(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_cloudfront_distribution"]) else {
        return;
    };
    for origin in config.field("origin").items() {
        let id = origin.field("origin_id").as_str().unwrap_or("?");
        for c in origin.field("custom_origin_config").items() {
            let policy = c.get("origin_protocol_policy").and_then(Node::known);
            let protocols: Vec<&str> = c
                .field("origin_ssl_protocols")
                .items()
                .into_iter()
                .filter_map(Node::as_str)
                .collect();
            if let Some(why) = origin_problem(policy.and_then(Node::as_str), &protocols) {
                let at = if why.starts_with("over") {
                    policy.unwrap_or(c)
                } else {
                    c.get("origin_ssl_protocols").unwrap_or(c)
                };
                hits.push(
                    Hit::at(at, format!("{addr} reaches origin {id} {why}"))
                        .with_identity(format!("{addr}/{id}")),
                );
            }
        }
    }
}

fn cfn_cloudfront_origin_insecure(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudFront::Distribution"]) {
        let Ok(Some(config)) = r.prop("DistributionConfig") else {
            continue;
        };
        let Some(origins) = config.get("Origins").and_then(decided) else {
            continue;
        };
        for origin in origins.items().into_iter().filter_map(decided) {
            let id = origin.field("Id").as_str().unwrap_or("?");
            let Some(c) = origin.get("CustomOriginConfig").and_then(decided) else {
                continue;
            };
            let policy = c.get("OriginProtocolPolicy").and_then(decided);
            let protocols: Vec<&str> = c
                .get("OriginSSLProtocols")
                .and_then(decided)
                .map(|p| p.items().into_iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            if let Some(why) = origin_problem(policy.and_then(Node::as_str), &protocols) {
                let at = if why.starts_with("over") {
                    policy.unwrap_or(c)
                } else {
                    c.get("OriginSSLProtocols").unwrap_or(c)
                };
                hits.push(
                    Hit::at(
                        at,
                        format!("distribution `{}` reaches origin {id} {why}", r.id),
                    )
                    .with_identity(format!("{}/{id}", r.id)),
                );
            }
        }
    }
}

fn tf_apigw_method_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, &["aws_api_gateway_method"]) {
        let Some(auth) = config.get("authorization").and_then(Node::known) else {
            return;
        };
        let method = config.field("http_method");
        let preflight = method.is_unknown()
            || method
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case("OPTIONS"));
        let api_key = config.get("api_key_required").map(Node::known);
        if matches!(api_key, Some(None)) || api_key.flatten().and_then(Node::as_bool) == Some(true)
        {
            return;
        }
        if !preflight && auth.as_str() == Some("NONE") {
            let m = method.as_str().unwrap_or("?");
            hits.push(
                Hit::at(
                    auth,
                    format!("{addr} lets anyone call {m} without authorization or an API key"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
    if let Some((addr, config)) = resource(doc, &["aws_apigatewayv2_route"]) {
        let Some(key) = config
            .get("route_key")
            .and_then(Node::known)
            .and_then(Node::as_str)
        else {
            return;
        };
        if key.starts_with("OPTIONS ") || key == "$disconnect" {
            return;
        }
        match config.get("authorization_type") {
            Some(v) if v.is_unknown() => {}
            Some(v) if !v.is_null() => {
                if v.as_str() == Some("NONE") {
                    hits.push(
                        Hit::at(v, format!("{addr} lets anyone call {key} without authorization"))
                            .with_identity(addr.to_string()),
                    );
                }
            }
            _ => hits.push(
                Hit::at(
                    &doc.root,
                    format!("{addr} lets anyone call {key} without authorization (`authorization_type` defaults to NONE)"),
                )
                .with_identity(addr.to_string()),
            ),
        }
    }
}

fn cfn_apigw_method_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ApiGateway::Method"]) {
        let Ok(Some(method)) = r.prop("HttpMethod") else {
            continue;
        };
        let Some(m) = method.as_str() else { continue };
        if m.eq_ignore_ascii_case("OPTIONS") {
            continue;
        }
        match r.prop("ApiKeyRequired") {
            Err(()) => continue,
            Ok(Some(v)) if v.as_bool() == Some(true) => continue,
            _ => {}
        }
        let hit = match r.prop("AuthorizationType") {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("method `{}` lets anyone call {m} without authorization or an API key (AuthorizationType defaults to NONE)", r.id),
            )),
            Ok(Some(v)) => (v.as_str() == Some("NONE")).then(|| {
                Hit::at(
                    v,
                    format!("method `{}` lets anyone call {m} without authorization or an API key", r.id),
                )
            }),
        };
        if let Some(hit) = hit {
            hits.push(hit.with_identity(r.id));
        }
    }
    for r in resources(doc, &["AWS::ApiGatewayV2::Route"]) {
        let Ok(Some(key)) = r.prop("RouteKey") else {
            continue;
        };
        let Some(key) = key.as_str() else { continue };
        if key.starts_with("OPTIONS ") || key == "$disconnect" {
            continue;
        }
        let hit = match r.prop("AuthorizationType") {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("route `{}` lets anyone call {key} without authorization (AuthorizationType defaults to NONE)", r.id),
            )),
            Ok(Some(v)) => (v.as_str() == Some("NONE")).then(|| {
                Hit::at(
                    v,
                    format!("route `{}` lets anyone call {key} without authorization", r.id),
                )
            }),
        };
        if let Some(hit) = hit {
            hits.push(hit.with_identity(r.id));
        }
    }
}

fn tf_apigw_outdated_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_api_gateway_domain_name"]) else {
        return;
    };
    if let Some(v) = config.get("security_policy").and_then(Node::known) {
        if v.as_str() == Some("TLS_1_0") {
            hits.push(
                Hit::at(v, format!("{addr} accepts clients on TLS 1.0 and 1.1"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_apigw_outdated_tls(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ApiGateway::DomainName"]) {
        if let Ok(Some(v)) = r.prop("SecurityPolicy") {
            if v.as_str() == Some("TLS_1_0") {
                hits.push(
                    Hit::at(
                        v,
                        format!("domain name `{}` accepts clients on TLS 1.0 and 1.1", r.id),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

fn tf_apigw_cache_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_api_gateway_method_settings"]) else {
        return;
    };
    for s in config.field("settings").items() {
        let caching = s.get("caching_enabled").and_then(Node::known);
        let Some(caching) = caching.filter(|c| c.as_bool() == Some(true)) else {
            continue;
        };
        match s.get("cache_data_encrypted") {
            Some(v) if v.is_unknown() || v.as_bool() == Some(true) => {}
            Some(v) if !v.is_null() => hits.push(
                Hit::at(v, format!("{addr} caches responses unencrypted"))
                    .with_identity(addr.to_string()),
            ),
            _ => hits.push(
                Hit::at(
                    caching,
                    format!("{addr} caches responses unencrypted (`cache_data_encrypted` defaults to false)"),
                )
                .with_identity(addr.to_string()),
            ),
        }
    }
}

fn cfn_apigw_cache_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ApiGateway::Stage"]) {
        let Ok(Some(settings)) = r.prop("MethodSettings") else {
            continue;
        };
        for (i, s) in settings.items().into_iter().enumerate() {
            let Some(s) = decided(s) else { continue };
            let Some(caching) = s.get("CachingEnabled").and_then(decided) else {
                continue;
            };
            if caching.as_bool() != Some(true) {
                continue;
            }
            let hit = match s.get("CacheDataEncrypted") {
                Some(v) if decided(v).is_none() || v.as_bool() == Some(true) => None,
                Some(v) => Some(Hit::at(
                    v,
                    format!("stage `{}` caches responses unencrypted", r.id),
                )),
                None => Some(Hit::at(
                    caching,
                    format!(
                        "stage `{}` caches responses unencrypted (CacheDataEncrypted defaults to false)",
                        r.id
                    ),
                )),
            };
            if let Some(hit) = hit {
                hits.push(hit.with_identity(format!("{}/{i}", r.id)));
            }
        }
    }
}

fn tf_lambda_url_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_lambda_function_url"]) else {
        return;
    };
    if let Some(v) = config.get("authorization_type").and_then(Node::known) {
        if v.as_str() == Some("NONE") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} lets anyone on the internet invoke the function without signing the request"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_lambda_url_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Lambda::Url"]) {
        if let Ok(Some(v)) = r.prop("AuthType") {
            if v.as_str() == Some("NONE") {
                hits.push(
                    Hit::at(
                        v,
                        format!("function URL `{}` lets anyone on the internet invoke the function without signing the request", r.id),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

/// What makes an environment variable a credential in clear: its name and literal value, or
/// a value that is a key whatever its name.
fn secret_variable(name: &str, value: &Node) -> Option<String> {
    let v = value.known()?.as_str()?;
    if secret_name(name) && literal_secret(v) {
        return Some(format!("`{name}` holds a literal credential"));
    }
    if access_key_id(v) {
        return Some(format!("`{name}` holds an AWS access key id"));
    }
    (v.contains("-----BEGIN") && v.contains("PRIVATE KEY-----"))
        .then(|| format!("`{name}` holds a private key"))
}

/// Lambda function types in CloudFormation, plain and through the SAM transform.
const CFN_FUNCTIONS: &[&str] = &["AWS::Lambda::Function", "AWS::Serverless::Function"];

fn tf_lambda_env_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_lambda_function"]) else {
        return;
    };
    for env in config.field("environment").items() {
        let Some(vars) = env.get("variables").and_then(Node::known) else {
            continue;
        };
        for (name, value) in vars.as_object().unwrap_or_default() {
            if let Some(why) = secret_variable(name, value) {
                let at = if value.span.line > 0 { value } else { vars };
                hits.push(
                    Hit::at(
                        at,
                        format!("{addr}: environment variable {why}, readable by anyone who can read the function's configuration"),
                    )
                    .with_identity(format!("{addr}/{name}")),
                );
            }
        }
    }
}

fn cfn_lambda_env_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_FUNCTIONS) {
        let Ok(Some(env)) = r.prop("Environment") else {
            continue;
        };
        let Some(vars) = env.get("Variables").and_then(decided) else {
            continue;
        };
        for (name, value) in vars.as_object().unwrap_or_default() {
            let Some(value) = decided(value) else {
                continue;
            };
            if let Some(why) = secret_variable(name, value) {
                hits.push(
                    Hit::at(
                        value,
                        format!("function `{}`: environment variable {why}, readable by anyone who can read the function's configuration", r.id),
                    )
                    .with_identity(format!("{}/{name}", r.id)),
                );
            }
        }
    }
}

/// Lambda runtimes past their deprecation date: no more security patches.
const DEPRECATED_RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "java8",
    "go1.x",
    "provided",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "dotnet7",
];

fn tf_lambda_deprecated_runtime(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_lambda_function"]) else {
        return;
    };
    if let Some(v) = config.get("runtime").and_then(Node::known) {
        if let Some(rt) = v.as_str().filter(|r| DEPRECATED_RUNTIMES.contains(r)) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} runs on {rt}, a deprecated runtime that no longer gets security patches"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn cfn_lambda_deprecated_runtime(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_FUNCTIONS) {
        if let Ok(Some(v)) = r.prop("Runtime") {
            if let Some(rt) = v.as_str().filter(|r| DEPRECATED_RUNTIMES.contains(r)) {
                hits.push(
                    Hit::at(
                        v,
                        format!("function `{}` runs on {rt}, a deprecated runtime that no longer gets security patches", r.id),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

fn tf_eks_public_endpoint(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_eks_cluster"]) else {
        return;
    };
    let Some(vpc) = block(config, "vpc_config") else {
        return;
    };
    let public = vpc.get("endpoint_public_access");
    let at = match public {
        Some(p) if p.is_unknown() => return,
        Some(p) if p.as_bool() == Some(false) => return,
        Some(p) if !p.is_null() => p,
        _ => vpc,
    };
    let at = match vpc.get("public_access_cidrs") {
        Some(c) if c.is_unknown() => return,
        Some(c) if !c.is_null() && !c.items().is_empty() => {
            if c.items().into_iter().any(|x| x.is_unknown()) {
                return;
            }
            if !c
                .items()
                .into_iter()
                .any(|x| x.as_str().is_some_and(is_world))
            {
                return;
            }
            c
        }
        _ => at,
    };
    hits.push(
        Hit::at(
            at,
            format!("{addr} exposes its Kubernetes API endpoint to the whole internet (public access from 0.0.0.0/0)"),
        )
        .with_identity(addr.to_string()),
    );
}

fn cfn_eks_public_endpoint(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EKS::Cluster"]) {
        let Ok(Some(vpc)) = r.prop("ResourcesVpcConfig") else {
            continue;
        };
        let at = match vpc.get("EndpointPublicAccess") {
            Some(p) => match decided(p) {
                None => continue,
                Some(p) if p.as_bool() == Some(false) => continue,
                Some(p) => p,
            },
            None => vpc,
        };
        let at = match vpc.get("PublicAccessCidrs") {
            Some(c) => {
                let Some(c) = decided(c) else { continue };
                let items = c.items();
                if items.iter().any(|x| decided(x).is_none()) {
                    continue;
                }
                if !items.is_empty() && !items.iter().any(|x| x.as_str().is_some_and(is_world)) {
                    continue;
                }
                c
            }
            None => at,
        };
        hits.push(
            Hit::at(
                at,
                format!("cluster `{}` exposes its Kubernetes API endpoint to the whole internet (public access from 0.0.0.0/0)", r.id),
            )
            .with_identity(r.id),
        );
    }
}

/// The containers of a Terraform task or job definition whose JSON the files decide.
fn tf_containers(config: &Node, key: &str) -> Option<(Node, Span)> {
    let attr = config.get(key)?.known()?;
    Some((decode_json_attribute(attr)?, attr.span))
}

fn container_name(c: &Node) -> &str {
    c.get("name")
        .or_else(|| c.get("Name"))
        .and_then(Node::as_str)
        .unwrap_or("?")
}

fn tf_ecs_privileged(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ecs_task_definition"]) else {
        return;
    };
    let Some((containers, span)) = tf_containers(config, "container_definitions") else {
        return;
    };
    for c in containers.items() {
        if c.field("privileged").as_bool() == Some(true) {
            let name = container_name(c);
            hits.push(Hit {
                span,
                message: format!("{addr}: container `{name}` runs privileged, with full access to the container instance"),
                identity: Some(format!("{addr}/{name}")),
            });
        }
    }
}

fn cfn_ecs_privileged(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECS::TaskDefinition"]) {
        let Ok(Some(containers)) = r.prop("ContainerDefinitions") else {
            continue;
        };
        for c in containers.items().into_iter().filter_map(decided) {
            let Some(v) = c.get("Privileged").and_then(decided) else {
                continue;
            };
            if v.as_bool() == Some(true) {
                let name = container_name(c);
                hits.push(
                    Hit::at(
                        v,
                        format!("task definition `{}`: container `{name}` runs privileged, with full access to the container instance", r.id),
                    )
                    .with_identity(format!("{}/{name}", r.id)),
                );
            }
        }
    }
}

fn tf_ecs_env_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ecs_task_definition"]) else {
        return;
    };
    let Some((containers, span)) = tf_containers(config, "container_definitions") else {
        return;
    };
    for c in containers.items() {
        let cname = container_name(c);
        for e in c.field("environment").items() {
            let Some(name) = e.field("name").as_str() else {
                continue;
            };
            if let Some(why) = secret_variable(name, e.field("value")) {
                hits.push(Hit {
                    span,
                    message: format!("{addr}: container `{cname}` environment variable {why}, visible to anyone who can describe the task definition"),
                    identity: Some(format!("{addr}/{cname}/{name}")),
                });
            }
        }
    }
}

fn cfn_ecs_env_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECS::TaskDefinition"]) {
        let Ok(Some(containers)) = r.prop("ContainerDefinitions") else {
            continue;
        };
        for c in containers.items().into_iter().filter_map(decided) {
            let cname = container_name(c);
            let Some(env) = c.get("Environment").and_then(decided) else {
                continue;
            };
            for e in env.items().into_iter().filter_map(decided) {
                let (Some(name), Some(value)) = (
                    e.get("Name").and_then(Node::as_str),
                    e.get("Value").and_then(decided),
                ) else {
                    continue;
                };
                if let Some(why) = secret_variable(name, value) {
                    hits.push(
                        Hit::at(
                            value,
                            format!("task definition `{}`: container `{cname}` environment variable {why}, visible to anyone who can describe the task definition", r.id),
                        )
                        .with_identity(format!("{}/{cname}/{name}", r.id)),
                    );
                }
            }
        }
    }
}

fn tf_ecs_efs_transit(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ecs_task_definition"]) else {
        return;
    };
    for v in config.field("volume").items() {
        let name = v.field("name").as_str().unwrap_or("?");
        for efs in v.field("efs_volume_configuration").items() {
            match efs.get("transit_encryption") {
                Some(t) if t.is_unknown() || t.as_str() == Some("ENABLED") => {}
                Some(t) if !t.is_null() => hits.push(
                    Hit::at(
                        t,
                        format!("{addr} mounts EFS volume `{name}` without TLS"),
                    )
                    .with_identity(format!("{addr}/{name}")),
                ),
                _ => hits.push(
                    Hit::at(
                        efs,
                        format!("{addr} mounts EFS volume `{name}` without TLS (`transit_encryption` defaults to DISABLED)"),
                    )
                    .with_identity(format!("{addr}/{name}")),
                ),
            }
        }
    }
}

fn cfn_ecs_efs_transit(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECS::TaskDefinition"]) {
        let Ok(Some(volumes)) = r.prop("Volumes") else {
            continue;
        };
        for v in volumes.items().into_iter().filter_map(decided) {
            let name = v.field("Name").as_str().unwrap_or("?");
            let Some(efs) = v.get("EFSVolumeConfiguration").and_then(decided) else {
                continue;
            };
            let hit = match efs.get("TransitEncryption") {
                Some(t) => decided(t)
                    .filter(|t| t.as_str() != Some("ENABLED"))
                    .map(|t| {
                        Hit::at(
                            t,
                            format!(
                                "task definition `{}` mounts EFS volume `{name}` without TLS",
                                r.id
                            ),
                        )
                    }),
                None => Some(Hit::at(
                    efs,
                    format!("task definition `{}` mounts EFS volume `{name}` without TLS (TransitEncryption defaults to DISABLED)", r.id),
                )),
            };
            if let Some(hit) = hit {
                hits.push(hit.with_identity(format!("{}/{name}", r.id)));
            }
        }
    }
}

fn tf_ecs_host_namespace(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ecs_task_definition"]) else {
        return;
    };
    for (key, what) in [("pid_mode", "process"), ("ipc_mode", "IPC")] {
        if let Some(v) = config.get(key).and_then(Node::known) {
            if v.as_str() == Some("host") {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} shares the host's {what} namespace with its containers"),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
    }
}

fn cfn_ecs_host_namespace(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECS::TaskDefinition"]) {
        for (key, what) in [("PidMode", "process"), ("IpcMode", "IPC")] {
            if let Ok(Some(v)) = r.prop(key) {
                if v.as_str() == Some("host") {
                    hits.push(
                        Hit::at(
                            v,
                            format!(
                                "task definition `{}` shares the host's {what} namespace with its containers",
                                r.id
                            ),
                        )
                        .with_identity(format!("{}/{key}", r.id)),
                    );
                }
            }
        }
    }
}

fn tf_batch_privileged(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_batch_job_definition"]) else {
        return;
    };
    let Some((container, span)) = tf_containers(config, "container_properties") else {
        return;
    };
    if container.field("privileged").as_bool() == Some(true) {
        hits.push(Hit {
            span,
            message: format!(
                "{addr} runs its container privileged, with full access to the compute environment's host"
            ),
            identity: Some(addr.to_string()),
        });
    }
}

fn cfn_batch_privileged(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Batch::JobDefinition"]) {
        let Ok(Some(container)) = r.prop("ContainerProperties") else {
            continue;
        };
        if let Some(v) = container.get("Privileged").and_then(decided) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(
                        v,
                        format!("job definition `{}` runs its container privileged, with full access to the compute environment's host", r.id),
                    )
                    .with_identity(r.id),
                );
            }
        }
    }
}

fn tf_transfer_ftp(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_transfer_server"]) else {
        return;
    };
    let Some(protocols) = config.get("protocols").and_then(Node::known) else {
        return;
    };
    if protocols
        .items()
        .into_iter()
        .any(|p| p.as_str() == Some("FTP"))
    {
        hits.push(
            Hit::at(
                protocols,
                format!("{addr} accepts plain FTP: user names, passwords and files cross the network in clear text"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn cfn_transfer_ftp(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Transfer::Server"]) {
        let Ok(Some(protocols)) = r.prop("Protocols") else {
            continue;
        };
        if let Some(ftp) = protocols
            .items()
            .into_iter()
            .find(|p| p.as_str() == Some("FTP"))
        {
            hits.push(
                Hit::at(
                    ftp,
                    format!("server `{}` accepts plain FTP: user names, passwords and files cross the network in clear text", r.id),
                )
                .with_identity(r.id),
            );
        }
    }
}

/// Control plane log types that record who did what to the cluster.
const EKS_SECURITY_LOGS: &[&str] = &["api", "audit", "authenticator"];

fn tf_eks_control_plane_logging(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_eks_cluster"]) else {
        return;
    };
    let (at, enabled): (&Node, Vec<&str>) = match config.get("enabled_cluster_log_types") {
        Some(v) if v.is_unknown() || v.items().iter().any(|t| t.is_unknown()) => return,
        Some(v) if !v.is_null() => (v, v.items().into_iter().filter_map(Node::as_str).collect()),
        _ => (&doc.root, Vec::new()),
    };
    let missing: Vec<&str> = EKS_SECURITY_LOGS
        .iter()
        .copied()
        .filter(|t| !enabled.contains(t))
        .collect();
    if !missing.is_empty() {
        hits.push(
            Hit::at(
                at,
                format!(
                    "{addr} does not send its {} control plane logs to CloudWatch",
                    missing.join(", ")
                ),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn cfn_eks_control_plane_logging(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EKS::Cluster"]) {
        let (at, types) = match r.prop("Logging") {
            Err(()) => continue,
            Ok(None) => (r.anchor(), None),
            Ok(Some(l)) => match l.path(&["ClusterLogging", "EnabledTypes"]) {
                None => (l, None),
                Some(t) => match decided(t) {
                    None => continue,
                    Some(t) => (t, Some(t)),
                },
            },
        };
        let mut enabled = Vec::new();
        let mut undecided = false;
        for t in types.map(Node::items).unwrap_or_default() {
            match decided(t).and_then(|t| t.get("Type")).and_then(decided) {
                Some(name) => enabled.extend(name.as_str()),
                None => undecided = true,
            }
        }
        if undecided {
            continue;
        }
        let missing: Vec<&str> = EKS_SECURITY_LOGS
            .iter()
            .copied()
            .filter(|t| !enabled.contains(t))
            .collect();
        if !missing.is_empty() {
            hits.push(
                Hit::at(
                    at,
                    format!(
                        "cluster `{}` does not send its {} control plane logs to CloudWatch",
                        r.id,
                        missing.join(", ")
                    ),
                )
                .with_identity(r.id),
            );
        }
    }
}

fn tf_apigw_stage_no_access_log(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_api_gateway_stage", "aws_apigatewayv2_stage"])
    else {
        return;
    };
    match config.get("access_log_settings") {
        Some(v) if v.is_unknown() || !v.items().is_empty() => {}
        _ => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} keeps no access log: who called the API, and how, is not recorded"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

fn cfn_apigw_stage_no_access_log(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"]) {
        let key = if r.node.field("Type").as_str() == Some("AWS::ApiGateway::Stage") {
            "AccessLogSetting"
        } else {
            "AccessLogSettings"
        };
        if let Ok(None) = r.prop(key) {
            hits.push(
                Hit::at(
                    r.anchor(),
                    format!(
                        "stage `{}` sets no {key}: who called the API, and how, is not recorded",
                        r.id
                    ),
                )
                .with_identity(r.id),
            );
        }
    }
}

fn tf_elb_access_logs_off(doc: &Document, hits: &mut Vec<Hit>) {
    // Application Load Balancers log only when `enabled` is set; classic ones when the block
    // is written, unless `enabled` is false.
    let (addr, config, default_on) = if let Some((addr, config)) = tf_alb(doc) {
        (addr, config, false)
    } else if let Some((addr, config)) = resource(doc, &["aws_elb"]) {
        (addr, config, true)
    } else {
        return;
    };
    let hit = match block(config, "access_logs") {
        None => Some(Hit::at(
            &doc.root,
            format!("{addr} writes no access logs: requests and their sources are not recorded"),
        )),
        Some(logs) => match logs.get("enabled") {
            Some(v) if v.is_unknown() || v.as_bool() == Some(true) => None,
            Some(v) if !v.is_null() => Some(Hit::at(
                v,
                format!("{addr} turns its access logs off: requests and their sources are not recorded"),
            )),
            _ if default_on => None,
            _ => Some(Hit::at(
                logs,
                format!("{addr} names an access log bucket but does not set `enabled = true`, so no access logs are written"),
            )),
        },
    };
    if let Some(hit) = hit {
        hits.push(hit.with_identity(addr.to_string()));
    }
}

fn cfn_elb_access_logs_off(doc: &Document, hits: &mut Vec<Hit>) {
    for r in cfn_albs(doc) {
        let key = "access_logs.s3.enabled";
        let hit = match cfn_lb_attribute(r.props.get("LoadBalancerAttributes"), key) {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("load balancer `{}` does not set {key}: requests and their sources are not recorded", r.id),
            )),
            Ok(Some(v)) => (v.as_bool() != Some(true)).then(|| {
                Hit::at(
                    v,
                    format!("load balancer `{}` turns its access logs off: requests and their sources are not recorded", r.id),
                )
            }),
        };
        if let Some(hit) = hit {
            hits.push(hit.with_identity(r.id));
        }
    }
    for r in resources(doc, &["AWS::ElasticLoadBalancing::LoadBalancer"]) {
        let hit = match r.prop("AccessLoggingPolicy") {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("load balancer `{}` sets no AccessLoggingPolicy: requests and their sources are not recorded", r.id),
            )),
            Ok(Some(p)) => p.get("Enabled").and_then(decided).filter(|v| v.as_bool() != Some(true)).map(|v| {
                Hit::at(
                    v,
                    format!("load balancer `{}` turns its access logs off: requests and their sources are not recorded", r.id),
                )
            }),
        };
        if let Some(hit) = hit {
            hits.push(hit.with_identity(r.id));
        }
    }
}

fn tf_ecs_service_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ecs_service"]) else {
        return;
    };
    for n in config.field("network_configuration").items() {
        if let Some(v) = n.get("assign_public_ip").and_then(Node::known) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} gives each of its tasks a public IP address"),
                    )
                    .with_identity(addr.to_string()),
                );
            }
        }
    }
}

fn cfn_ecs_service_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECS::Service"]) {
        let Ok(Some(network)) = r.prop("NetworkConfiguration") else {
            continue;
        };
        let Some(v) = network
            .get("AwsvpcConfiguration")
            .and_then(decided)
            .and_then(|c| c.get("AssignPublicIp"))
            .and_then(decided)
        else {
            continue;
        };
        if v.as_str() == Some("ENABLED") {
            hits.push(
                Hit::at(
                    v,
                    format!(
                        "service `{}` gives each of its tasks a public IP address",
                        r.id
                    ),
                )
                .with_identity(r.id),
            );
        }
    }
}
