//! The bad-input corpus (issue 7): malformed configurations across every resource. Each case is
//! planned in its own workdir and must end in a diagnostic that points at the offending attribute
//! (Terraform prints the source line of the diagnostic's attribute path) with a message that says
//! what is wrong, before any mutating AWS call (checked in the workdir's proxy log) and without
//! the provider crashing.
//!
//! Cases run on a few threads, each one separately, and every failing case is reported by name.

use crate::support::*;

/// One malformed configuration.
struct Case {
    /// Short name used in failure reports.
    name: &'static str,
    /// Resources (and data sources) appended to the provider header.
    body: &'static str,
    /// A source line fragment Terraform must show under the diagnostic (the attribute path).
    at: &'static str,
    /// A fragment of the diagnostic's message.
    message: &'static str,
}

fn corpus() -> Vec<Case> {
    vec![
        // --- IAM ---
        Case {
            name: "iam_role: assume_role_policy is not JSON",
            body: r#"resource "awsecs_iam_role" "r" {
  name               = "bad-json"
  assume_role_policy = "{\"Version\": "
}"#,
            at: "assume_role_policy =",
            message: "valid JSON",
        },
        Case {
            name: "iam_role: max_session_duration out of range",
            body: r#"resource "awsecs_iam_role" "r" {
  name                 = "short-session"
  assume_role_policy   = "{}"
  max_session_duration = 100
}"#,
            at: "max_session_duration = 100",
            message: "between 3600 and 43200",
        },
        Case {
            name: "iam_role: max_session_duration has the wrong type",
            body: r#"resource "awsecs_iam_role" "r" {
  name                 = "typed"
  assume_role_policy   = "{}"
  max_session_duration = "an hour"
}"#,
            at: "max_session_duration = \"an hour\"",
            message: "a number is required",
        },
        Case {
            name: "iam_role: name and name_prefix conflict",
            body: r#"resource "awsecs_iam_role" "r" {
  name               = "both"
  name_prefix        = "both-"
  assume_role_policy = "{}"
}"#,
            at: "name",
            message: "conflicts with",
        },
        Case {
            name: "iam_role: invalid characters in name",
            body: r#"resource "awsecs_iam_role" "r" {
  name               = "no spaces allowed"
  assume_role_policy = "{}"
}"#,
            at: "name               = \"no spaces allowed\"",
            message: "letters, digits and +=,.@_-",
        },
        Case {
            name: "iam_role: permissions_boundary is not an ARN",
            body: r#"resource "awsecs_iam_role" "r" {
  name                 = "bounded"
  assume_role_policy   = "{}"
  permissions_boundary = "my-boundary"
}"#,
            at: "permissions_boundary = \"my-boundary\"",
            message: "is not an ARN",
        },
        Case {
            name: "iam_role: missing required assume_role_policy",
            body: r#"resource "awsecs_iam_role" "r" {
  name = "no-policy"
}"#,
            at: "resource \"awsecs_iam_role\" \"r\"",
            message: "\"assume_role_policy\" is required",
        },
        Case {
            name: "iam_role: unknown argument",
            body: r#"resource "awsecs_iam_role" "r" {
  name               = "extra"
  assume_role_policy = "{}"
  colour             = "blue"
}"#,
            at: "colour",
            message: "An argument named \"colour\" is not expected here",
        },
        Case {
            name: "iam_policy: policy is not JSON",
            body: r#"resource "awsecs_iam_policy" "p" {
  name   = "broken"
  policy = "[1, 2"
}"#,
            at: "policy = \"[1, 2\"",
            message: "valid JSON",
        },
        Case {
            name: "iam_role_policy: policy is not JSON",
            body: r#"resource "awsecs_iam_role_policy" "p" {
  name   = "inline"
  role   = "some-role"
  policy = "Allow everything"
}"#,
            at: "policy = \"Allow everything\"",
            message: "valid JSON",
        },
        Case {
            name: "iam_role_policy_attachment: policy_arn is not an ARN",
            body: r#"resource "awsecs_iam_role_policy_attachment" "a" {
  role       = "some-role"
  policy_arn = "AmazonECSTaskExecutionRolePolicy"
}"#,
            at: "policy_arn = \"AmazonECSTaskExecutionRolePolicy\"",
            message: "is not an ARN",
        },
        Case {
            name: "iam_instance_profile: invalid characters in name",
            body: r#"resource "awsecs_iam_instance_profile" "p" {
  name = "profile/with/slashes"
}"#,
            at: "name = \"profile/with/slashes\"",
            message: "letters, digits and +=,.@_-",
        },
        // --- ECR ---
        Case {
            name: "ecr_repository: image_tag_mutability not an allowed value",
            body: r#"resource "awsecs_ecr_repository" "r" {
  name                 = "repo"
  image_tag_mutability = "SOMETIMES"
}"#,
            at: "image_tag_mutability = \"SOMETIMES\"",
            message: "expected one of",
        },
        Case {
            name: "ecr_repository: upper-case name",
            body: r#"resource "awsecs_ecr_repository" "r" {
  name = "UpperCase"
}"#,
            at: "name = \"UpperCase\"",
            message: "UpperCase",
        },
        Case {
            name: "ecr_repository: encryption_type not an allowed value",
            body: r#"resource "awsecs_ecr_repository" "r" {
  name = "enc"
  encryption_configuration {
    encryption_type = "ROT13"
  }
}"#,
            at: "encryption_type = \"ROT13\"",
            message: "expected one of",
        },
        Case {
            name: "ecr_lifecycle_policy: policy is not JSON",
            body: r#"resource "awsecs_ecr_lifecycle_policy" "p" {
  repository = "repo"
  policy     = "{rules: []}"
}"#,
            at: "policy     = \"{rules: []}\"",
            message: "JSON",
        },
        Case {
            name: "ecr_repository_policy: policy is not JSON",
            body: r#"resource "awsecs_ecr_repository_policy" "p" {
  repository = "repo"
  policy     = "<Policy/>"
}"#,
            at: "policy     = \"<Policy/>\"",
            message: "JSON",
        },
        // --- CloudWatch Logs ---
        Case {
            name: "log_group: retention_in_days not an allowed value",
            body: r#"resource "awsecs_cloudwatch_log_group" "g" {
  name              = "/ecs/retention"
  retention_in_days = 8
}"#,
            at: "retention_in_days = 8",
            message: "must be one of",
        },
        Case {
            name: "log_group: invalid characters in name",
            body: r#"resource "awsecs_cloudwatch_log_group" "g" {
  name = "/ecs/no spaces"
}"#,
            at: "name = \"/ecs/no spaces\"",
            message: "only letters, digits",
        },
        Case {
            name: "log_group: name and name_prefix conflict",
            body: r#"resource "awsecs_cloudwatch_log_group" "g" {
  name        = "/ecs/both"
  name_prefix = "/ecs/both-"
}"#,
            at: "name",
            message: "conflicts with",
        },
        // --- EC2: security groups and rules ---
        Case {
            name: "security_group: ingress port out of range",
            body: r#"resource "awsecs_security_group" "sg" {
  name = "ports"
  ingress {
    protocol    = "tcp"
    from_port   = 80
    to_port     = 70000
    cidr_blocks = ["10.0.0.0/8"]
  }
}"#,
            at: "to_port     = 70000",
            message: "70000",
        },
        Case {
            name: "security_group: ingress rule without a source",
            body: r#"resource "awsecs_security_group" "sg" {
  name = "nosource"
  ingress {
    protocol  = "tcp"
    from_port = 80
    to_port   = 80
  }
}"#,
            at: "ingress {",
            message: "needs a source or destination",
        },
        Case {
            name: "security_group: invalid CIDR block",
            body: r#"resource "awsecs_security_group" "sg" {
  name = "cidr"
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["10.0.0.0/33"]
  }
}"#,
            at: "cidr_blocks = [\"10.0.0.0/33\"]",
            message: "10.0.0.0/33",
        },
        Case {
            name: "security_group: name starting with sg-",
            body: r#"resource "awsecs_security_group" "sg" {
  name = "sg-looks-like-an-id"
}"#,
            at: "name = \"sg-looks-like-an-id\"",
            message: "cannot begin with \"sg-\"",
        },
        Case {
            name: "vpc_security_group_ingress_rule: tcp without from_port",
            body: r#"resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "tcp"
  to_port           = 443
  cidr_ipv4         = "10.0.0.0/8"
}"#,
            at: "resource \"awsecs_vpc_security_group_ingress_rule\" \"r\"",
            message: "from_port is required for ip_protocol",
        },
        Case {
            name: "vpc_security_group_ingress_rule: invalid IPv4 CIDR",
            body: r#"resource "awsecs_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "-1"
  cidr_ipv4         = "300.1.1.1/8"
}"#,
            at: "cidr_ipv4         = \"300.1.1.1/8\"",
            message: "300.1.1.1/8",
        },
        Case {
            name: "vpc_security_group_egress_rule: ports with ip_protocol -1",
            body: r#"resource "awsecs_vpc_security_group_egress_rule" "r" {
  security_group_id = "sg-12345678"
  ip_protocol       = "-1"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}"#,
            at: "from_port         = 80",
            message: "must not be set for ip_protocol",
        },
        // --- EC2: launch templates and Auto Scaling ---
        Case {
            name: "launch_template: ebs throughput out of range",
            body: r#"resource "awsecs_launch_template" "lt" {
  name = "throughput"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type = "gp3"
      throughput  = 50
    }
  }
}"#,
            at: "throughput  = 50",
            message: "between 125 and 2000",
        },
        Case {
            name: "launch_template: http_tokens not an allowed value",
            body: r#"resource "awsecs_launch_template" "lt" {
  name = "imds"
  metadata_options {
    http_tokens = "sometimes"
  }
}"#,
            at: "http_tokens = \"sometimes\"",
            message: "expected one of",
        },
        Case {
            name: "launch_template: default_version conflicts with update_default_version",
            body: r#"resource "awsecs_launch_template" "lt" {
  name                   = "versions"
  default_version        = 1
  update_default_version = true
}"#,
            at: "default_version",
            message: "conflicts with",
        },
        Case {
            name: "launch_template: name too short",
            body: r#"resource "awsecs_launch_template" "lt" {
  name = "lt"
}"#,
            at: "name = \"lt\"",
            message: "between 3 and 128 characters",
        },
        Case {
            name: "autoscaling_group: wait_for_capacity_timeout is not a duration",
            body: r#"resource "awsecs_autoscaling_group" "g" {
  name                      = "asg"
  min_size                  = 0
  max_size                  = 1
  availability_zones        = ["us-east-1a"]
  wait_for_capacity_timeout = "ten minutes"
  launch_template {
    id = "lt-0123456789abcdef0"
  }
}"#,
            at: "wait_for_capacity_timeout = \"ten minutes\"",
            message: "is not a duration",
        },
        Case {
            name: "autoscaling_group: availability_zones conflicts with vpc_zone_identifier",
            body: r#"resource "awsecs_autoscaling_group" "g" {
  name                = "asg"
  min_size            = 0
  max_size            = 1
  availability_zones  = ["us-east-1a"]
  vpc_zone_identifier = ["subnet-12345678"]
  launch_template {
    id = "lt-0123456789abcdef0"
  }
}"#,
            at: "availability_zones  = [\"us-east-1a\"]",
            message: "conflicts with vpc_zone_identifier",
        },
        Case {
            name: "autoscaling_group: missing required max_size",
            body: r#"resource "awsecs_autoscaling_group" "g" {
  name               = "asg"
  min_size           = 0
  availability_zones = ["us-east-1a"]
}"#,
            at: "resource \"awsecs_autoscaling_group\" \"g\"",
            message: "\"max_size\" is required",
        },
        // --- ECS ---
        Case {
            name: "ecs_cluster: invalid characters in name",
            body: r#"resource "awsecs_ecs_cluster" "c" {
  name = "no spaces"
}"#,
            at: "name = \"no spaces\"",
            message: "no spaces",
        },
        Case {
            name: "ecs_cluster: unknown setting name",
            body: r#"resource "awsecs_ecs_cluster" "c" {
  name = "settings"
  setting {
    name  = "turbo"
    value = "enabled"
  }
}"#,
            at: "name  = \"turbo\"",
            message: "expected one of",
        },
        Case {
            name: "ecs_capacity_provider: target_capacity out of range",
            body: r#"resource "awsecs_ecs_capacity_provider" "cp" {
  name = "cp"
  auto_scaling_group_provider {
    auto_scaling_group_arn = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0:autoScalingGroupName/asg"
    managed_scaling {
      status          = "ENABLED"
      target_capacity = 101
    }
  }
}"#,
            at: "target_capacity = 101",
            message: "between 1 and 100",
        },
        Case {
            name: "ecs_capacity_provider: auto_scaling_group_arn is not an ARN",
            body: r#"resource "awsecs_ecs_capacity_provider" "cp" {
  name = "cp"
  auto_scaling_group_provider {
    auto_scaling_group_arn = "my-asg"
  }
}"#,
            at: "auto_scaling_group_arn = \"my-asg\"",
            message: "is not an ARN",
        },
        Case {
            name: "ecs_capacity_provider: missing required auto_scaling_group_provider block",
            body: r#"resource "awsecs_ecs_capacity_provider" "cp" {
  name = "cp"
}"#,
            at: "resource \"awsecs_ecs_capacity_provider\" \"cp\"",
            message: "auto_scaling_group_provider",
        },
        Case {
            name: "ecs_cluster_capacity_providers: weight out of range",
            body: r#"resource "awsecs_ecs_cluster_capacity_providers" "c" {
  cluster_name       = "cluster"
  capacity_providers = ["cp"]
  default_capacity_provider_strategy {
    capacity_provider = "cp"
    weight            = 2000
  }
}"#,
            at: "weight            = 2000",
            message: "between 0 and 1000",
        },
        Case {
            name: "ecs_task_definition: container_definitions is not JSON",
            body: r#"resource "awsecs_ecs_task_definition" "t" {
  family                = "bad-json"
  container_definitions = "[{\"name\": \"web\""
}"#,
            at: "container_definitions =",
            message: "JSON",
        },
        Case {
            name: "ecs_task_definition: container without an image",
            body: r#"resource "awsecs_ecs_task_definition" "t" {
  family                = "no-image"
  container_definitions = jsonencode([{ name = "web", memory = 128 }])
}"#,
            at: "container_definitions =",
            message: "image",
        },
        Case {
            name: "ecs_task_definition: network_mode not an allowed value",
            body: r#"resource "awsecs_ecs_task_definition" "t" {
  family                = "netmode"
  network_mode          = "overlay"
  container_definitions = jsonencode([{ name = "web", image = "nginx", memory = 128 }])
}"#,
            at: "network_mode          = \"overlay\"",
            message: "expected one of",
        },
        Case {
            name: "ecs_task_definition: invalid characters in family",
            body: r#"resource "awsecs_ecs_task_definition" "t" {
  family                = "family:1"
  container_definitions = jsonencode([{ name = "web", image = "nginx", memory = 128 }])
}"#,
            at: "family                = \"family:1\"",
            message: "family:1",
        },
        Case {
            name: "ecs_task_definition: task_role_arn is not an ARN",
            body: r#"resource "awsecs_ecs_task_definition" "t" {
  family                = "role"
  task_role_arn         = "my-task-role"
  container_definitions = jsonencode([{ name = "web", image = "nginx", memory = 128 }])
}"#,
            at: "task_role_arn         = \"my-task-role\"",
            message: "is not an ARN",
        },
        Case {
            name: "ecs_service: launch_type not an allowed value",
            body: r#"resource "awsecs_ecs_service" "s" {
  name            = "svc"
  cluster         = "cluster"
  task_definition = "family:1"
  launch_type     = "MOON"
}"#,
            at: "launch_type     = \"MOON\"",
            message: "expected one of",
        },
        Case {
            name: "ecs_service: scheduling_strategy not an allowed value",
            body: r#"resource "awsecs_ecs_service" "s" {
  name                = "svc"
  cluster             = "cluster"
  task_definition     = "family:1"
  scheduling_strategy = "SOMETIMES"
}"#,
            at: "scheduling_strategy = \"SOMETIMES\"",
            message: "expected one of",
        },
        Case {
            name: "ecs_service: ordered_placement_strategy type not an allowed value",
            body: r#"resource "awsecs_ecs_service" "s" {
  name            = "svc"
  cluster         = "cluster"
  task_definition = "family:1"
  ordered_placement_strategy {
    type  = "scatter"
    field = "cpu"
  }
}"#,
            at: "type  = \"scatter\"",
            message: "expected one of",
        },
        Case {
            name: "ecs_service: capacity provider weight out of range",
            body: r#"resource "awsecs_ecs_service" "s" {
  name            = "svc"
  cluster         = "cluster"
  task_definition = "family:1"
  capacity_provider_strategy {
    capacity_provider = "cp"
    weight            = 5000
  }
}"#,
            at: "weight            = 5000",
            message: "between 0 and 1000",
        },
        // --- Cloud Map ---
        Case {
            name: "service_discovery_private_dns_namespace: invalid name",
            body: r#"resource "awsecs_service_discovery_private_dns_namespace" "n" {
  name = "bad name!"
  vpc  = "vpc-12345678"
}"#,
            at: "name = \"bad name!\"",
            message: "bad name!",
        },
        Case {
            name: "service_discovery_service: dns record type not an allowed value",
            body: r#"resource "awsecs_service_discovery_service" "s" {
  name = "svc"
  dns_config {
    namespace_id = "ns-12345678"
    dns_records {
      ttl  = 10
      type = "MX"
    }
  }
}"#,
            at: "type = \"MX\"",
            message: "expected one of",
        },
        Case {
            name: "service_discovery_service: negative ttl",
            body: r#"resource "awsecs_service_discovery_service" "s" {
  name = "svc"
  dns_config {
    namespace_id = "ns-12345678"
    dns_records {
      ttl  = -5
      type = "A"
    }
  }
}"#,
            at: "ttl  = -5",
            message: "between 0 and 2147483647",
        },
        // --- Load balancing ---
        Case {
            name: "lb_listener: port out of range",
            body: r#"resource "awsecs_lb_listener" "l" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/0123456789abcdef"
  port              = 70000
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"
  }
}"#,
            at: "port              = 70000",
            message: "between 1 and 65535",
        },
        Case {
            name: "lb_listener_rule: priority out of range",
            body: r#"resource "awsecs_lb_listener_rule" "r" {
  listener_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/0123456789abcdef/0123456789abcdef"
  priority     = 60000
  action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"
  }
  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
}"#,
            at: "priority     = 60000",
            message: "between 1 and 50000",
        },
        Case {
            name: "lb_target_group: name too long",
            body: r#"resource "awsecs_lb_target_group" "tg" {
  name     = "a-target-group-name-far-longer-than-32"
  port     = 80
  protocol = "HTTP"
  vpc_id   = "vpc-12345678"
}"#,
            at: "name     = \"a-target-group-name-far-longer-than-32\"",
            message: "32 characters",
        },
        // --- Provider configuration ---
        Case {
            name: "provider: endpoint is not a URL",
            body: r#"provider "awsecs" {
  alias = "broken"
  endpoints {
    iam = "iam at localhost"
  }
}

resource "awsecs_iam_role" "r" {
  provider           = awsecs.broken
  name               = "endpoint"
  assume_role_policy = "{}"
}"#,
            at: "iam = \"iam at localhost\"",
            message: "is not a URL",
        },
    ]
}

/// Why a case failed, or `None` when the provider behaved.
fn check(case: &Case) -> Option<String> {
    let tf = Workdir::new(&config(case.body));
    let (out, calls) = tf.record(|| tf.cmd(&["plan", "-input=false", "-no-color"]).run());
    let mut problems = Vec::new();
    if out.code == 0 {
        problems.push("plan succeeded".to_string());
    }
    let raw = format!("{}\n{}", out.stdout, out.stderr_raw);
    for crash in [
        "panicked at",
        "plugin exited",
        "Plugin did not respond",
        "unexpected EOF",
    ] {
        if raw.contains(crash) {
            problems.push(format!("provider crashed ({crash:?})"));
        }
    }
    // Terraform wraps long messages: compare with whitespace runs collapsed.
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !flat(&out.stderr).contains(&flat(case.message)) {
        problems.push(format!("no diagnostic containing {:?}", case.message));
    }
    // Terraform prints the source line of the diagnostic's attribute path as `  NN: <line>`.
    let points_at = out.stderr.lines().any(|l| {
        l.trim_start()
            .split_once(": ")
            .is_some_and(|(n, src)| n.parse::<u32>().is_ok() && src.contains(case.at))
    });
    if !points_at {
        problems.push(format!("no diagnostic shows the source line {:?}", case.at));
    }
    let mutating: Vec<String> = calls
        .iter()
        .filter(|c| c.is_mutating())
        .map(|c| c.to_string())
        .collect();
    if !mutating.is_empty() {
        problems.push(format!("mutating AWS calls were made: {mutating:?}"));
    }
    (!problems.is_empty()).then(|| format!("{}: {}\n{out}", case.name, problems.join("; ")))
}

#[test]
fn bad_input_corpus_gets_diagnostics_at_the_attribute_without_api_writes() {
    let cases = corpus();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                if let Some(f) = check(case) {
                    failures.lock().unwrap_or_else(|e| e.into_inner()).push(f);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
