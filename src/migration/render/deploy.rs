//! Sidecar deployment snippets (`--emit-deploy compose|ecs|k8s`): the
//! collector container next to KrakenD, started with `--config` pointing at
//! the generated collector config, and the environment both containers
//! need.
//!
//! A migrated config is only half a deployment: the collector it pushes to
//! must run somewhere KrakenD reaches it, with a region and credentials.
//! The snippets put the pinned collector image beside KrakenD, expose the
//! OTLP port and the health check (13133), and add KrakenD's environment
//! (`OTEL_PROPAGATORS` for B3 continuity from KrakenD 2.11, delta
//! temporality for `--metrics emf`).
//!
//! Credentials never appear as values: Compose passes the shell's
//! variables through by name, ECS uses the task role, Kubernetes the
//! service account's IAM role (IRSA) or a Secret reference. What only the
//! user knows (account id, role names, a bucket) is a clearly named
//! `<placeholder>`, and the report lists each one. YAML is written by hand,
//! as the collector config is, so it can carry comments; every value that
//! comes from the user goes through a quoting function.

use crate::model::redact::{Lines, printable};
use std::fmt::Write;

use serde_json::{Value, json};

use crate::migration::convert::propagation;
use crate::migration::intent::{CollectorExporter, Intent};
use crate::migration::options::{CollectorFlavor, MetricsTarget, Options, OtlpEndpoint};
use crate::migration::render::collector::{CollectorConfig, yaml_scalar};
use crate::model::target::{
    B3_PROPAGATORS, EMF_IAM_ACTIONS, HEALTH_CHECK_PORT, INFLUX_PASSWORD_ENV, INFLUX_USERNAME_ENV,
    PROPAGATORS_ENV, TEMPORALITY_ENV, XRAY_IAM_ACTIONS,
};

/// ADOT v0.49.0: the release whose component and key lists oc2otel's
/// collector configs are written (and tested) for.
pub const ADOT_IMAGE: &str = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0";
/// otelcol-contrib v0.156.0: the collector version ADOT v0.49.0 vendors,
/// so both flavours run the same exporter code.
pub const CONTRIB_IMAGE: &str = "otel/opentelemetry-collector-contrib:0.156.0";
/// Where the collector container finds its config.
pub const CONFIG_DIR: &str = "/etc/otel";
/// Where the KrakenD image keeps its config.
const KRAKEND_DIR: &str = "/etc/krakend";

/// The platform a snippet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Compose,
    Ecs,
    K8s,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Compose => "compose",
            Platform::Ecs => "ecs",
            Platform::K8s => "k8s",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Compose => "Docker Compose",
            Platform::Ecs => "Amazon ECS",
            Platform::K8s => "Kubernetes",
        }
    }

    /// The end of the snippet's file name: `<stem>.deploy.compose.yaml`.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Platform::Compose => "deploy.compose.yaml",
            Platform::Ecs => "deploy.ecs.json",
            Platform::K8s => "deploy.k8s.yaml",
        }
    }
}

/// Everything a snippet says, gathered from the migration.
#[derive(Debug, Clone)]
pub struct Sidecar {
    pub platform: Platform,
    /// The service this KrakenD is, as names want it (`orders`): every
    /// name the snippet gives (Compose services, Kubernetes objects, the
    /// ECS family) carries it, so that the snippets of several services
    /// coexist in one compose file or namespace.
    pub service: String,
    pub flavor: CollectorFlavor,
    /// File name of the KrakenD config (`krakend.json`).
    pub config_name: String,
    /// File name of the collector config (`krakend.otel-collector.yaml`).
    pub collector_name: String,
    /// Where a Compose file next to the config finds the collector config
    /// (`./krakend.otel-collector.yaml`).
    pub collector_source: String,
    /// The collector config itself (the Kubernetes ConfigMap holds it).
    pub collector_yaml: String,
    pub receiver_port: u16,
    pub endpoint: OtlpEndpoint,
    pub krakend_version: String,
    /// The AWS region, when the legacy config names one.
    pub region: Option<String>,
    /// The collector exports to AWS (`awsxray`, `awsemf`).
    pub aws: bool,
    pub xray: bool,
    pub emf: bool,
    pub googlecloud: bool,
    /// Variables the collector config reads (`${env:INFLUXDB_PASSWORD}`).
    pub collector_env: Vec<&'static str>,
    /// KrakenD's environment.
    pub krakend_env: Vec<(&'static str, String)>,
}

/// A rendered snippet and what the user must still fill in or fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// `<placeholder>`s left in the text, in order of appearance.
    pub placeholders: Vec<&'static str>,
    /// IAM actions the collector's role needs.
    pub iam_actions: Vec<&'static str>,
    /// Why KrakenD's OTLP exporter would miss the collector of the snippet.
    pub endpoint_problem: Option<String>,
}

const ACCOUNT: &str = "<account-id>";
const TASK_ROLE: &str = "<task-role>";
const EXECUTION_ROLE: &str = "<execution-role>";
const COLLECTOR_ROLE: &str = "<collector-role>";
const BUCKET: &str = "<config-bucket>";
const KRAKEND_IMAGE: &str = "<krakend-image>";
const REGION: &str = "<region>";
const INFLUX_SECRET: &str = "<influxdb-secret>";
/// The Kubernetes Secret the InfluxDB credentials come from.
const INFLUX_K8S_SECRET: &str = "influxdb-credentials";

impl Sidecar {
    /// What a snippet for `platform` needs from a migration.
    pub fn new(
        platform: Platform,
        intent: &Intent,
        collector: &CollectorConfig,
        options: &Options,
        config_name: &str,
        collector_name: &str,
        collector_source: &str,
    ) -> Sidecar {
        let exporters = || collector.exporters.iter().map(|(e, _)| e);
        let region = exporters().find_map(|e| match e {
            CollectorExporter::AwsXray { region } | CollectorExporter::AwsEmf { region } => {
                region.clone()
            }
            _ => None,
        });
        let mut collector_env = Vec::new();
        for e in exporters() {
            if let CollectorExporter::Influxdb {
                username, password, ..
            } = e
            {
                if *username {
                    collector_env.push(INFLUX_USERNAME_ENV);
                }
                if *password {
                    collector_env.push(INFLUX_PASSWORD_ENV);
                }
            }
        }
        let mut krakend_env = Vec::new();
        if options.version().has_propagators_env() && propagation::applies(intent) {
            krakend_env.push((PROPAGATORS_ENV, B3_PROPAGATORS.to_string()));
        }
        if options.metrics == MetricsTarget::Emf {
            krakend_env.push((TEMPORALITY_ENV, "delta".to_string()));
        }
        let has = |f: fn(&CollectorExporter) -> bool| exporters().any(f);
        Sidecar {
            platform,
            service: "krakend".to_string(),
            flavor: collector.flavor,
            config_name: config_name.to_string(),
            collector_name: collector_name.to_string(),
            collector_source: collector_source.to_string(),
            collector_yaml: collector.to_yaml(),
            receiver_port: collector.receiver_port,
            endpoint: options.otlp_endpoint.clone(),
            krakend_version: options.version().to_string(),
            region,
            aws: has(|e| {
                matches!(
                    e,
                    CollectorExporter::AwsXray { .. } | CollectorExporter::AwsEmf { .. }
                )
            }),
            xray: has(|e| matches!(e, CollectorExporter::AwsXray { .. })),
            emf: has(|e| matches!(e, CollectorExporter::AwsEmf { .. })),
            googlecloud: has(|e| matches!(e, CollectorExporter::GoogleCloud { .. })),
            collector_env,
            krakend_env,
        }
    }

    fn image(&self) -> &'static str {
        match self.flavor {
            CollectorFlavor::Auto | CollectorFlavor::Adot => ADOT_IMAGE,
            CollectorFlavor::Contrib => CONTRIB_IMAGE,
        }
    }

    /// The snippet of the service `name` (see [`service_slug`]).
    pub fn for_service(mut self, name: &str) -> Sidecar {
        self.service = service_slug(name);
        self
    }

    /// The collector's container name inside a task or pod.
    fn default_name(&self) -> &'static str {
        match self.flavor {
            CollectorFlavor::Auto | CollectorFlavor::Adot => "adot-collector",
            CollectorFlavor::Contrib => "otel-collector",
        }
    }

    /// `base` for this service: `krakend-orders`, or `krakend` for the
    /// service named `krakend`.
    fn named(&self, base: &str) -> String {
        if self.service == "krakend" {
            base.to_string()
        } else {
            format!("{base}-{}", self.service)
        }
    }

    /// KrakenD's Compose service, Kubernetes Deployment and service
    /// account, and ECS task family.
    pub fn krakend_name(&self) -> String {
        self.named("krakend")
    }

    /// The Kubernetes ConfigMap KrakenD's config goes in.
    pub fn krakend_config_map(&self) -> String {
        format!("{}-config", self.krakend_name())
    }

    /// Only ADOT's image has a probe binary (`/healthcheck`); the contrib
    /// image has no shell and no probe, so container health checks that run
    /// a command inside it cannot work.
    fn has_probe(&self) -> bool {
        self.flavor.is_adot()
    }

    fn config_arg(&self) -> String {
        format!("--config={CONFIG_DIR}/{}", self.collector_name)
    }

    fn krakend_args(&self) -> Vec<String> {
        vec![
            "run".into(),
            "-c".into(),
            format!("{KRAKEND_DIR}/{}", self.config_name),
        ]
    }

    fn iam_actions(&self) -> Vec<&'static str> {
        let mut actions = Vec::new();
        if self.xray {
            actions.extend(XRAY_IAM_ACTIONS);
        }
        if self.emf {
            actions.extend(EMF_IAM_ACTIONS);
        }
        if self.platform == Platform::Ecs {
            actions.push("s3:GetObject");
        }
        actions
    }

    /// The collector's Compose service name: the host KrakenD sends to,
    /// when that is a name a Compose service can have (the user chose it);
    /// otherwise the default name for this service (`adot-collector-orders`).
    fn compose_service(&self) -> String {
        let host = self.endpoint.host.as_str();
        let label = !host.is_empty()
            && host
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if label && !is_loopback(host) && host != "krakend" {
            host.to_string()
        } else {
            self.named(self.default_name())
        }
    }

    fn endpoint_problem(&self) -> Option<String> {
        let host = &self.endpoint.host;
        let port = self.receiver_port;
        let endpoint = &self.endpoint;
        match self.platform {
            Platform::Compose => {
                let service = self.compose_service();
                if service == *host {
                    None
                } else if is_loopback(host) {
                    Some(format!(
                        "KrakenD's OTLP exporter sends to {endpoint}, which in Docker Compose is KrakenD's own container, not the `{service}` service: migrate with `--otlp-endpoint {service}:{port}`"
                    ))
                } else {
                    Some(format!(
                        "KrakenD's OTLP exporter sends to {endpoint}, not to the `{service}` service of this snippet: migrate with `--otlp-endpoint {service}:{port}`, or leave the collector service out if {host} is a collector you run elsewhere"
                    ))
                }
            }
            Platform::Ecs | Platform::K8s => (!is_loopback(host)).then(|| {
                format!(
                    "KrakenD's OTLP exporter sends to {endpoint}, but the sidecar of this snippet shares KrakenD's network namespace and listens on localhost:{port}: migrate with `--otlp-endpoint localhost:{port}` (the default), or leave the sidecar out if {host} is a collector you run elsewhere"
                )
            }),
        }
    }

    /// Render the snippet.
    pub fn render(&self) -> Snippet {
        let text = match self.platform {
            Platform::Compose => self.compose(),
            Platform::Ecs => self.ecs(),
            Platform::K8s => self.k8s(),
        };
        let mut placeholders: Vec<(usize, &'static str)> = [
            ACCOUNT,
            TASK_ROLE,
            EXECUTION_ROLE,
            COLLECTOR_ROLE,
            BUCKET,
            KRAKEND_IMAGE,
            REGION,
            INFLUX_SECRET,
        ]
        .into_iter()
        .filter_map(|p| text.find(p).map(|at| (at, p)))
        .collect();
        placeholders.sort();
        Snippet {
            placeholders: placeholders.into_iter().map(|(_, p)| p).collect(),
            iam_actions: self.iam_actions(),
            endpoint_problem: self.endpoint_problem(),
            text,
        }
    }

    fn header(&self, out: &mut String, what: &str) {
        let _ = writeln!(
            out,
            "# {what}, written by oc2otel from {}.",
            comment_safe(&self.config_name)
        );
    }

    fn compose(&self) -> String {
        let service = self.compose_service();
        let krakend = self.krakend_name();
        let mut out = String::new();
        self.header(
            &mut out,
            &format!(
                "Docker Compose services for KrakenD and {}",
                self.flavor.display_name()
            ),
        );
        let _ = writeln!(
            out,
            "# Merge them into your compose file. KrakenD reaches the collector at {service}:{}.",
            self.receiver_port
        );
        out.push_str("# No credentials are stored here: variables listed without a value are passed\n# through from the shell that runs `docker compose`.\n");
        let _ = writeln!(out, "services:\n  {krakend}:");
        let _ = writeln!(
            out,
            "    image: {}",
            plain(&format!("krakend:{}", self.krakend_version))
        );
        let _ = writeln!(out, "    command: {}", flow(&self.krakend_args()));
        out.push_str("    volumes:\n");
        let _ = writeln!(
            out,
            "      - {}",
            plain(&format!("./{0}:{KRAKEND_DIR}/{0}:ro", self.config_name))
        );
        if !self.krakend_env.is_empty() {
            out.push_str("    environment:\n");
            for (name, value) in &self.krakend_env {
                let _ = writeln!(out, "      - {}", plain(&format!("{name}={value}")));
            }
        }
        let condition = if self.has_probe() {
            "service_healthy"
        } else {
            "service_started"
        };
        let _ = writeln!(
            out,
            "    depends_on:\n      {service}:\n        condition: {condition}"
        );
        out.push_str("    deploy:\n      resources:\n        limits:\n          memory: 1G # size for your traffic\n");
        let _ = writeln!(out, "  {service}:\n    image: {}", self.image());
        let _ = writeln!(out, "    command: {}", flow(&[self.config_arg()]));
        out.push_str("    volumes:\n");
        let _ = writeln!(
            out,
            "      - {}",
            plain(&format!(
                "{}:{CONFIG_DIR}/{}:ro",
                self.collector_source, self.collector_name
            ))
        );
        let mut env: Vec<String> = Vec::new();
        if self.aws {
            env.push(
                "# AWS credentials: the SDK default chain. These pass the shell's variables".into(),
            );
            env.push(
                "# through; on EC2 an instance profile works instead (IMDSv2 needs a hop".into(),
            );
            env.push("# limit of 2 to reach containers).".into());
            env.push(match &self.region {
                Some(region) => plain(&format!("AWS_REGION={region}")),
                None => yaml_scalar(
                    "AWS_REGION=${AWS_REGION:?the legacy config names no region; set AWS_REGION}",
                ),
            });
            env.extend(
                [
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_SESSION_TOKEN",
                ]
                .map(String::from),
            );
        }
        if self.googlecloud {
            env.push(
                "# googlecloud: mount a service account key and set GOOGLE_APPLICATION_CREDENTIALS"
                    .into(),
            );
            env.push("# to its path in the container, or run on Google Cloud with the workload's identity.".into());
        }
        env.extend(self.collector_env.iter().map(|v| v.to_string()));
        let has_values = env.iter().any(|e| !e.starts_with('#'));
        if has_values {
            out.push_str("    environment:\n");
        }
        for entry in env {
            match (entry.starts_with('#'), has_values) {
                (true, true) => writeln!(out, "      {entry}"),
                (true, false) => writeln!(out, "    {entry}"),
                (false, _) => writeln!(out, "      - {entry}"),
            }
            .expect("writing to a String");
        }
        // Sized for a gateway's sidecar: memory_limiter refuses data at 80 %
        // of this limit, instead of the container being killed.
        out.push_str("    deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n          memory: 512M\n        reservations:\n          memory: 128M\n");
        out.push_str("    expose:\n");
        let _ = writeln!(
            out,
            "      - \"{}\" # OTLP gRPC\n      - \"{HEALTH_CHECK_PORT}\" # health check",
            self.receiver_port
        );
        if self.has_probe() {
            out.push_str("    healthcheck:\n      test: [\"CMD\", \"/healthcheck\"]\n      interval: 10s\n      timeout: 5s\n      retries: 5\n      start_period: 10s\n");
        } else {
            out.push_str("    # no healthcheck: this image has no shell or probe to run one\n");
        }
        out
    }

    fn ecs(&self) -> String {
        let name = self.default_name();
        let region = self.region.as_deref().unwrap_or(REGION);
        let env = |vars: &[(&str, String)]| -> Value {
            Value::Array(
                vars.iter()
                    .map(|(n, v)| json!({"name": n, "value": v}))
                    .collect(),
            )
        };
        // Container sizes for a gateway and its sidecar (the task's own
        // size is the sum, on Fargate); logs to CloudWatch Logs.
        let mut krakend = json!({
            "name": "krakend",
            "image": KRAKEND_IMAGE,
            "essential": true,
            "cpu": 512,
            "memory": 1024,
            "logConfiguration": self.ecs_logs("krakend", region),
        });
        if !self.krakend_env.is_empty() {
            krakend["environment"] = env(&self.krakend_env);
        }
        krakend["dependsOn"] = json!([{
            "containerName": name,
            "condition": if self.has_probe() { "HEALTHY" } else { "START" },
        }]);
        // Fargate cannot mount a local file: the collector reads its config
        // from S3 (a confmap provider ADOT ships), under the generated name.
        let mut collector = json!({
            "name": name,
            "image": self.image(),
            "essential": true,
            "cpu": 256,
            "memory": 512,
            "logConfiguration": self.ecs_logs(name, region),
            "command": [format!(
                "--config=s3://{BUCKET}.s3.{region}.amazonaws.com/{}",
                self.collector_name
            )],
        });
        if self.aws {
            collector["environment"] = env(&[("AWS_REGION", region.to_string())]);
        }
        if !self.collector_env.is_empty() {
            collector["secrets"] = Value::Array(
                self.collector_env
                    .iter()
                    .map(|v| {
                        json!({
                            "name": v,
                            "valueFrom": format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{INFLUX_SECRET}:{v}::"),
                        })
                    })
                    .collect(),
            );
        }
        collector["portMappings"] = json!([
            {"containerPort": self.receiver_port, "protocol": "tcp"},
            {"containerPort": HEALTH_CHECK_PORT, "protocol": "tcp"},
        ]);
        if self.has_probe() {
            collector["healthCheck"] = json!({
                "command": ["CMD", "/healthcheck"],
                "interval": 10,
                "timeout": 5,
                "retries": 5,
                "startPeriod": 10,
            });
        }
        let task = json!({
            "family": self.krakend_name(),
            // awsvpc gives the task one network namespace: KrakenD reaches
            // the sidecar on localhost.
            "networkMode": "awsvpc",
            "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{TASK_ROLE}"),
            // ECS sends the logs and fetches `secrets` with the execution role.
            "executionRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{EXECUTION_ROLE}"),
        });
        let mut task = task;
        task["containerDefinitions"] = json!([krakend, collector]);
        let mut out = serde_json::to_string_pretty(&task).expect("a task definition serialises");
        out.push('\n');
        out
    }

    /// A container's `logConfiguration`: the `awslogs` driver, one log
    /// group per service, one stream prefix per container.
    fn ecs_logs(&self, container: &str, region: &str) -> Value {
        json!({
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": format!("/ecs/{}", self.krakend_name()),
                "awslogs-region": region,
                "awslogs-stream-prefix": container,
                "awslogs-create-group": "true",
            },
        })
    }

    fn k8s(&self) -> String {
        let krakend = self.krakend_name();
        let config_map = self.named(&format!("{}-config", self.default_name()));
        let mut out = String::new();
        self.header(
            &mut out,
            &format!(
                "Kubernetes objects for KrakenD with {} as a sidecar",
                self.flavor.display_name()
            ),
        );
        let _ = writeln!(
            out,
            "# KrakenD reaches the collector at localhost:{} (the containers of a pod share\n# its network). Create KrakenD's own ConfigMap first:\n#   kubectl create configmap {} --from-file={}",
            self.receiver_port,
            self.krakend_config_map(),
            comment_safe(&self.config_name)
        );
        if self.aws {
            out.push_str("# No credentials are stored here: the collector takes AWS credentials from the\n# IAM role of the service account (EKS IRSA; with EKS Pod Identity, drop the\n# annotation and associate the role with the service account instead).\n");
            let _ = writeln!(
                out,
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {krakend}\n  annotations:\n    eks.amazonaws.com/role-arn: {}\n---",
                plain(&format!("arn:aws:iam::{ACCOUNT}:role/{COLLECTOR_ROLE}"))
            );
        } else {
            out.push_str("# No credentials are stored here.\n");
        }
        if !self.collector_env.is_empty() {
            let _ = writeln!(
                out,
                "# The collector reads {} from the Secret `{INFLUX_K8S_SECRET}`.",
                self.collector_env.join(" and ")
            );
        }
        let _ = writeln!(
            out,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {config_map}\ndata:\n  {}: |",
            plain(&self.collector_name)
        );
        for line in self.collector_yaml.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "    {line}");
            }
        }
        let _ = writeln!(
            out,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {krakend}\n  labels:\n    app: {krakend}\nspec:\n  selector:\n    matchLabels:\n      app: {krakend}\n  template:\n    metadata:\n      labels:\n        app: {krakend}\n    spec:"
        );
        if self.aws {
            let _ = writeln!(out, "      serviceAccountName: {krakend}");
        }
        self.k8s_krakend_container(&mut out);
        self.k8s_collector_container(&mut out);
        let _ = writeln!(
            out,
            "      volumes:\n        - name: krakend-config\n          configMap:\n            name: {}\n        - name: collector-config\n          configMap:\n            name: {config_map}",
            self.krakend_config_map()
        );
        out
    }

    fn k8s_krakend_container(&self, out: &mut String) {
        out.push_str("      containers:\n        - name: krakend\n");
        let _ = writeln!(
            out,
            "          image: {}",
            plain(&format!("krakend:{}", self.krakend_version))
        );
        let _ = writeln!(out, "          args: {}", flow(&self.krakend_args()));
        if !self.krakend_env.is_empty() {
            out.push_str("          env:\n");
            for (var, value) in &self.krakend_env {
                let _ = writeln!(
                    out,
                    "            - name: {var}\n              value: {}",
                    plain(value)
                );
            }
        }
        out.push_str("          resources: # size for your traffic\n            requests:\n              cpu: 250m\n              memory: 256Mi\n            limits:\n              memory: 1Gi\n");
        let _ = writeln!(
            out,
            "          volumeMounts:\n            - name: krakend-config\n              mountPath: {KRAKEND_DIR}\n              readOnly: true"
        );
    }

    fn k8s_collector_container(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "        - name: {}\n          image: {}",
            self.default_name(),
            self.image()
        );
        let _ = writeln!(out, "          args: {}", flow(&[self.config_arg()]));
        let mut env = String::new();
        if self.aws {
            let _ = writeln!(
                env,
                "            - name: AWS_REGION\n              value: {}",
                plain(self.region.as_deref().unwrap_or(REGION))
            );
        }
        for var in &self.collector_env {
            let _ = writeln!(
                env,
                "            - name: {var}\n              valueFrom:\n                secretKeyRef:\n                  name: {INFLUX_K8S_SECRET}\n                  key: {var}"
            );
        }
        if self.googlecloud {
            env.push_str("            # googlecloud: give the pod a Workload Identity, or mount a key and set\n            # GOOGLE_APPLICATION_CREDENTIALS to its path\n");
        }
        if !env.is_empty() {
            out.push_str("          env:\n");
            out.push_str(&env);
        }
        let _ = writeln!(
            out,
            "          ports:\n            - name: otlp-grpc\n              containerPort: {}\n            - name: health\n              containerPort: {HEALTH_CHECK_PORT}",
            self.receiver_port
        );
        for probe in ["readinessProbe", "livenessProbe"] {
            let _ = writeln!(
                out,
                "          {probe}:\n            httpGet:\n              path: /\n              port: {HEALTH_CHECK_PORT}"
            );
        }
        // memory_limiter refuses data at 80 % of this limit, instead of
        // the container being killed.
        out.push_str("          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n            limits:\n              cpu: 500m\n              memory: 512Mi\n");
        let _ = writeln!(
            out,
            "          volumeMounts:\n            - name: collector-config\n              mountPath: {CONFIG_DIR}\n              readOnly: true"
        );
    }
}

/// A name for the service a config is, fit for Compose services,
/// Kubernetes objects and ECS families (`Orders API` -> `orders-api`):
/// lowercase letters, digits and single dashes, at most 40 characters.
pub fn service_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let mut slug: String = slug.chars().take(40).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        "krakend".to_string()
    } else {
        slug
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
}

/// A YAML scalar for block context: plain when every character is one a
/// plain scalar may hold there (`=`, `,` and `:` inside paths and
/// `NAME=value` entries), double-quoted otherwise.
fn plain(s: &str) -> String {
    let safe = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | '_' | '-' | '/' | ':' | '=' | ',' | '<' | '>')
        })
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && s.parse::<f64>().is_err();
    if safe { s.to_string() } else { yaml_scalar(s) }
}

/// A flow sequence of strings (JSON is valid YAML).
fn flow(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| yaml_scalar_quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A double-quoted YAML scalar (JSON string syntax).
fn yaml_scalar_quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A file name inside a `#` comment: one line, no control characters.
fn comment_safe(s: &str) -> String {
    printable(s, Lines::One).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_stay_readable_and_odd_ones_are_quoted() {
        assert_eq!(plain("AWS_REGION=eu-west-1"), "AWS_REGION=eu-west-1");
        assert_eq!(
            plain("./krakend.json:/etc/krakend/krakend.json:ro"),
            "./krakend.json:/etc/krakend/krakend.json:ro"
        );
        assert_eq!(
            plain("tracecontext,baggage,b3multi"),
            "tracecontext,baggage,b3multi"
        );
        assert_eq!(plain("my config.json"), "\"my config.json\"");
        assert_eq!(plain("yes"), "\"yes\"");
        assert_eq!(plain("2.13"), "\"2.13\"");
        assert_eq!(plain("a#b c"), "\"a#b c\"");
        assert_eq!(plain("-x"), "\"-x\"");
    }

    #[test]
    fn service_names_are_dns_labels() {
        assert_eq!(service_slug("Orders API (prod)"), "orders-api-prod");
        assert_eq!(service_slug("--"), "krakend");
        assert_eq!(service_slug("é\u{1b}[x"), "x");
        assert_eq!(service_slug(&"a".repeat(60)).len(), 40);
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "::1", "0.0.0.0"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["adot-collector", "collector.internal", "10.0.0.1"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
