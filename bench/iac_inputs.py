#!/usr/bin/env python3
"""Generates the IaC benchmark corpus: a synthetic Terraform repository (many root modules,
each calling a nested local module, with variables, locals and tfvars), Kubernetes manifests
and Dockerfiles. Deterministic: the same arguments give the same files. About a third of the
resources are misconfigured in ways both rampart and Checkov check.

usage: iac_inputs.py OUT_DIR [--roots N] [--resources-per-root M]
"""

import argparse
import random
from pathlib import Path

MODULE = '''variable "name" {}
variable "encrypted" {
  default = true
}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 20
  encrypted         = var.encrypted
  tags = {
    Name = var.name
  }
}

module "inner" {
  source = "./inner"
  name   = "${var.name}-inner"
}
'''

INNER = '''variable "name" {}

resource "aws_s3_bucket" "inner" {
  bucket = var.name
}
'''


def bucket(i, rnd):
    acl = rnd.choice(["private", "private", "public-read", "log-delivery-write"])
    return f'''resource "aws_s3_bucket" "b{i}" {{
  bucket = "${{local.prefix}}-b{i}"
  acl    = "{acl}"
}}
'''


def sg(i, rnd):
    port = rnd.choice([22, 443, 3389, 8080])
    cidr = rnd.choice(["0.0.0.0/0", "10.0.0.0/8"])
    return f'''resource "aws_security_group" "sg{i}" {{
  name = "sg{i}"
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
'''


def db(i, rnd):
    public = rnd.choice(["true", "false", "false"])
    enc = rnd.choice(["true", "true", "false"])
    return f'''resource "aws_db_instance" "db{i}" {{
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  publicly_accessible = {public}
  storage_encrypted   = {enc}
}}
'''


def ebs(i, rnd):
    enc = rnd.choice(["true", "var.encrypt_volumes", "false"])
    return f'''resource "aws_ebs_volume" "v{i}" {{
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = {enc}
}}
'''


def instance(i, rnd):
    tokens = rnd.choice(["required", "optional"])
    return f'''resource "aws_instance" "i{i}" {{
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  metadata_options {{
    http_endpoint = "enabled"
    http_tokens   = "{tokens}"
  }}
}}
'''


def iam(i, rnd):
    action = rnd.choice(['"*"', '"s3:GetObject"'])
    return f'''resource "aws_iam_policy" "p{i}" {{
  name = "p{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {action}
      Resource = "*"
    }}]
  }})
}}
'''


KINDS = [bucket, sg, db, ebs, instance, iam]


def deployment(i, rnd):
    priv = rnd.choice(["true", "false", "false"])
    host = rnd.choice(["true", "false", "false", "false"])
    tag = rnd.choice(["1.27", "latest", "1.27"])
    return f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels:
    app: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      hostNetwork: {host}
      containers:
        - name: app
          image: nginx:{tag}
          securityContext:
            privileged: {priv}
            allowPrivilegeEscalation: false
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
'''


def dockerfile(i, rnd):
    """A Dockerfile with a random mix of what hadolint and Checkov look at: tags, package
    installs pinned or not, caches cleaned or not, shell habits, the final user."""
    base = rnd.choice(["python:3.12-slim", "ubuntu:latest", "node:20", "alpine", "debian:12"])
    lines = [f"FROM {base}"]
    if rnd.random() < 0.2:
        lines.append("MAINTAINER ops@example.com")
    lines.append(rnd.choice(["WORKDIR /app", "WORKDIR /app", "WORKDIR app"]))
    if base.startswith("alpine"):
        lines.append(rnd.choice([
            "RUN apk add curl",
            "RUN apk add --no-cache curl=8.5.0-r0",
            "RUN apk add --no-cache curl",
        ]))
    else:
        lines.append(rnd.choice([
            "RUN apt-get update && apt-get install -y curl",
            "RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\\n    && rm -rf /var/lib/apt/lists/*",
            "RUN apt update && apt install -y curl",
            "RUN apt-get update && apt-get -y upgrade",
        ]))
    if base.startswith("python") or rnd.random() < 0.2:
        lines.append(rnd.choice([
            "RUN pip install flask",
            "RUN pip install --no-cache-dir flask==3.0.3",
            "RUN pip install -r requirements.txt",
        ]))
    if base.startswith("node"):
        lines.append(rnd.choice(["RUN npm install express", "RUN npm install express@4.19.2", "RUN npm ci"]))
    if rnd.random() < 0.3:
        lines.append(rnd.choice([
            "RUN curl -sSL https://example.com/install.sh | sh",
            "RUN cd /tmp && curl -fsSLO https://example.com/tool.tgz",
            "RUN sudo chmod +x /usr/local/bin/tool",
            "RUN wget -q https://example.com/a && curl -fsSL https://example.com/b -o b",
        ]))
    lines.append(rnd.choice([
        f"ADD https://example.com/tool-{i}.tar.gz /opt/",
        "ADD app.tar.gz /app/",
        "ADD config.yaml /app/",
        "COPY config.yaml /app/",
    ]))
    lines.append("COPY . /app")
    if rnd.random() < 0.15:
        lines.append("EXPOSE 8080")
    lines.append(rnd.choice(["USER app", "", "USER root", "USER 10001"]))
    lines.append(rnd.choice(['CMD ["python", "/app/main.py"]', "CMD python /app/main.py"]))
    if rnd.random() < 0.1:
        lines.append('CMD ["/app/other"]')
    if rnd.random() < 0.5:
        lines.append("HEALTHCHECK CMD curl -f http://localhost:8080/health || exit 1")
    return "\n".join(l for l in lines if l) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--roots", type=int, default=200)
    p.add_argument("--resources-per-root", type=int, default=25)
    p.add_argument("--manifests", type=int, default=500)
    p.add_argument("--dockerfiles", type=int, default=200)
    a = p.parse_args()
    rnd = random.Random(20261122)
    out = Path(a.out)
    tf = out / "terraform"
    for r in range(a.roots):
        root = tf / f"service-{r:03d}"
        (root / "modules" / "storage" / "inner").mkdir(parents=True, exist_ok=True)
        parts = ['locals {\n  prefix = "svc-%03d"\n}\n\nvariable "encrypt_volumes" {}\n' % r]
        for i in range(a.resources_per_root):
            parts.append(KINDS[i % len(KINDS)](i, rnd))
        # Every other root turns off the module's volume encryption through its input.
        extra = "  encrypted = false\n" if r % 2 else ""
        parts.append('module "storage" {\n  source = "./modules/storage"\n  name   = local.prefix\n' + extra + '}\n')
        (root / "main.tf").write_text("\n".join(parts))
        (root / "terraform.tfvars").write_text(f"encrypt_volumes = {rnd.choice(['true', 'false'])}\n")
        (root / "modules" / "storage" / "main.tf").write_text(MODULE)
        (root / "modules" / "storage" / "inner" / "main.tf").write_text(INNER)
    k8s = out / "kubernetes"
    k8s.mkdir(parents=True, exist_ok=True)
    for i in range(a.manifests):
        (k8s / f"app-{i:04d}.yaml").write_text(deployment(i, rnd))
    docker = out / "docker"
    for i in range(a.dockerfiles):
        d = docker / f"svc-{i:03d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "Dockerfile").write_text(dockerfile(i, rnd))
    files = sum(1 for f in out.rglob("*") if f.is_file())
    resources = a.roots * (a.resources_per_root + 2)
    print(f"{files} files: {a.roots} Terraform roots ({resources} resources), {a.manifests} Deployments, {a.dockerfiles} Dockerfiles")


if __name__ == "__main__":
    main()
