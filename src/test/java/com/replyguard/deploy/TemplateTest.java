package com.replyguard.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * template.yaml, checked offline: by cfn-lint where it is installed (zero errors, zero warnings),
 * and by the checks it does not make, always — on the defaults and on each samconfig.toml
 * environment: visibility timeout at least 6 x the function timeout, guard TTL above it, model
 * calls within it, a handler class that exists, no batching window on a FIFO queue, and more.
 */
class TemplateTest {

    private static final Path TEMPLATE = Path.of("template.yaml");
    private static Map<String, Object> template;
    private static Map<String, Map<String, Object>> samconfig;

    @BeforeAll
    static void read() throws IOException {
        template = CloudFormationYaml.read(TEMPLATE);
        samconfig = SamConfig.read(Path.of("samconfig.toml"));
    }

    // ------------------------------------------------------------------ cfn-lint

    @Test
    void shouldLintClean_withCfnLint_whenItIsInstalled() throws Exception {
        Optional<Path> cfnLint = onPath("cfn-lint");
        if (cfnLint.isEmpty()) {
            String reason = "cfn-lint is not installed (pip install cfn-lint): template.yaml was not linted;"
                    + " the other TemplateTest checks still ran";
            System.err.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        Process lint = new ProcessBuilder(cfnLint.get().toString(), TEMPLATE.toString())
                .redirectErrorStream(true).start();
        String output;
        try (var in = lint.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(lint.waitFor(180, TimeUnit.SECONDS)).as("cfn-lint finished").isTrue();
        assertThat(output).as("cfn-lint output (errors and warnings)").isEmpty();
        assertThat(lint.exitValue()).as("cfn-lint exit status").isZero();
    }

    // ------------------------------------------------------------------ the function

    @Test
    void shouldPointAtAHandlerClass_thatExists_andHandlesSqsBatches() throws Exception {
        String handler = (String) function().get("Handler");
        String className = handler.substring(0, handler.indexOf("::"));
        Class<?> type = Class.forName(className);

        assertThat(handler.substring(handler.indexOf("::") + 2)).isEqualTo("handleRequest");
        assertThat(RequestHandler.class).isAssignableFrom(type);
        assertThat(type.getMethod("handleRequest", SQSEvent.class, Context.class)).isNotNull();
        assertThat(type.getConstructor()).as("Lambda needs a public no-argument constructor").isNotNull();
    }

    @Test
    void shouldRunJava21_onArm64ByDefault_withSnapStartOnThePublishedAlias_andJsonLogs() {
        Map<String, Object> fn = function();
        assertThat(fn.get("Runtime")).isEqualTo("java21");
        assertThat(fn.get("Architectures")).isEqualTo(List.of(ref("Architecture")));
        assertThat(parameter("Architecture").get("Default")).isEqualTo("arm64");
        assertThat(fn.get("MemorySize")).isEqualTo(ref("MemorySize"));
        assertThat(fn.get("Timeout")).isEqualTo(ref("Timeout"));
        assertThat(fn.get("AutoPublishAlias")).isEqualTo("live");
        assertThat(fn.get("SnapStart")).isEqualTo(Map.of("ApplyOn", "PublishedVersions"));
        Map<String, Object> logging = map(fn.get("LoggingConfig"));
        assertThat(logging.get("LogFormat")).isEqualTo("JSON");
        assertThat(logging.get("LogGroup")).isEqualTo(ref("FunctionLogGroup"));
        assertThat(properties("FunctionLogGroup").get("RetentionInDays")).isEqualTo(ref("LogRetentionInDays"));
    }

    @Test
    void shouldPassTheTimeoutsTheWorkerChecks_toItsEnvironment() {
        Map<String, Object> env = environment();
        assertThat(env.get("GUARD_TTL_SECONDS")).isEqualTo(ref("GuardTtlSeconds"));
        assertThat(env.get("FUNCTION_TIMEOUT_SECONDS")).isEqualTo(ref("Timeout"));
        assertThat(env.get("JOBS_VISIBILITY_TIMEOUT_SECONDS")).isEqualTo(ref("VisibilityTimeout"));
        assertThat(properties("JobsQueue").get("VisibilityTimeout")).isEqualTo(ref("VisibilityTimeout"));
    }

    @Test
    void shouldOnlySetVariablesTheWorkerReads() throws IOException {
        String sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(file));
            }
            sources = all.toString();
        }
        for (String name : environment().keySet()) {
            if (name.equals("JAVA_TOOL_OPTIONS")) {
                continue; // read by the JVM
            }
            assertThat(sources).as("the worker reads " + name).contains("\"" + name + "\"");
        }
    }

    @Test
    void shouldKeepTheUpstashUrlOutOfTheEnvironment_andReadItsSecretOnly() {
        Map<String, Object> env = environment();
        assertThat(env.get("REDIS_URL_SECRET_ARN")).isEqualTo(
                Map.of("Fn::If", List.of("UseUpstash", ref("UpstashRedisUrlSecretArn"), "")));
        assertThat(String.valueOf(env.get("REDIS_URL"))).contains("RedisCache.Endpoint.Address").contains("UseElastiCache")
                .startsWith("{Fn::If=[UseElastiCache, {Fn::Sub=rediss://");
        assertThat(env.get("REDIS_CLUSTER")).isEqualTo(Map.of("Fn::If", List.of("UseElastiCache", "true", "false")));
    }

    // ------------------------------------------------------------------ queues and trigger

    @Test
    void shouldTakeNoBatchingWindow_onAFifoQueue() {
        Map<String, Object> event = sqsEvent();
        Map<String, Object> window = map(event.get("MaximumBatchingWindowInSeconds"));
        List<?> branches = (List<?>) window.get("Fn::If");
        assertThat(branches).as("the window depends on the queue type").isNotNull();
        assertThat(condition((String) branches.get(0))).isEqualTo(Map.of("Fn::Equals", List.of(ref("QueueType"), "fifo")));
        assertThat(branches.get(1)).as("no window when FIFO").isEqualTo(ref("AWS::NoValue"));
        assertThat(properties("JobsQueue").get("FifoQueue"))
                .isEqualTo(Map.of("Fn::If", List.of(branches.get(0), true, ref("AWS::NoValue"))));
        assertThat(properties("JobsDeadLetterQueue").get("FifoQueue")).as("a FIFO queue needs a FIFO DLQ")
                .isEqualTo(properties("JobsQueue").get("FifoQueue"));
        assertThat(template.get("Rules").toString()).contains("With QueueType fifo, BatchSize must be between 1 and 10");
    }

    @Test
    void shouldReportBatchItemFailures_withBoundedConcurrency() {
        Map<String, Object> event = sqsEvent();
        assertThat(event.get("Queue")).isEqualTo(Map.of("Fn::GetAtt", List.of("JobsQueue", "Arn")));
        assertThat(event.get("FunctionResponseTypes")).isEqualTo(List.of("ReportBatchItemFailures"));
        assertThat(event.get("BatchSize")).isEqualTo(ref("BatchSize"));
        assertThat(event.get("ScalingConfig")).isEqualTo(Map.of("MaximumConcurrency", ref("MaximumConcurrency")));
    }

    @Test
    void shouldEncryptEveryQueue_andParkFailingJobsInALongerLivedDeadLetterQueue() {
        for (String queue : List.of("JobsQueue", "JobsDeadLetterQueue", "RepliesQueue")) {
            assertThat(properties(queue).get("SqsManagedSseEnabled")).as(queue + " SSE").isEqualTo(true);
        }
        Map<String, Object> redrive = map(properties("JobsQueue").get("RedrivePolicy"));
        assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(Map.of("Fn::GetAtt", List.of("JobsDeadLetterQueue", "Arn")));
        assertThat(redrive.get("maxReceiveCount")).isEqualTo(ref("MaxReceiveCount"));
        assertThat((Integer) properties("JobsDeadLetterQueue").get("MessageRetentionPeriod"))
                .isGreaterThan((Integer) properties("JobsQueue").get("MessageRetentionPeriod"));
    }

    // ------------------------------------------------------------------ timeouts, on every environment

    @Test
    void shouldKeepTheVisibilityTimeout_atLeastSixTimesTheFunctionTimeout_inEveryEnvironment() {
        effectiveParameters().forEach((env, values) ->
                assertThat(number(values, "VisibilityTimeout"))
                        .as(env + ": VisibilityTimeout >= 6 x Timeout")
                        .isGreaterThanOrEqualTo(6 * number(values, "Timeout")));
    }

    @Test
    void shouldLetTheWorkerMoveTheVisibilityOfTheRecordsItLeavesWaiting() {
        // a handed-over message's record stays on the queue until its reply is committed; the worker
        // brings it back early with ChangeMessageVisibility on the jobs queue
        String role = String.valueOf(properties("FunctionRole").get("Policies"));
        assertThat(role).contains("sqs:ChangeMessageVisibility").contains("JobsQueue");
    }

    @Test
    void shouldEndEveryModelCall_beforeTheFunctionTimeout_inEveryEnvironment() {
        effectiveParameters().forEach((env, values) ->
                assertThat(number(values, "GeneratorTimeoutMs") * number(values, "GeneratorMaxAttempts"))
                        .as(env + ": GeneratorTimeoutMs x GeneratorMaxAttempts < Timeout")
                        .isLessThan(number(values, "Timeout") * 1000));
    }

    // ------------------------------------------------------------------ permissions, alarms, outputs

    @Test
    void shouldGrantNoWildcardAction_andNoWildcardResourceButTheVpcPolicy() {
        String policies = String.valueOf(properties("FunctionRole").get("Policies"));
        assertThat(policies).as("no wildcard action").doesNotContainPattern("Action=(\\[[^\\]]*\\*|[^,\\[}]*\\*)")
                .as("no wildcard resource").doesNotContain("Resource=*").doesNotContain("Resource=[*");
        assertThat(policies).contains("sqs:SendMessage, Resource={Fn::GetAtt=[RepliesQueue, Arn]}")
                .contains("secretsmanager:GetSecretValue")
                .contains("foundation-model/${BedrockFoundationModelId}")
                .contains("inference-profile/${BedrockModelId}");
        assertThat(String.valueOf(properties("FunctionRole").get("ManagedPolicyArns")))
                .as("VPC access only with ElastiCache").startsWith("[{Fn::If=[UseElastiCache,");
    }

    @Test
    void shouldAlarmOnTheDeadLetterQueue_functionErrors_andTheOldestJobsAge() {
        Map<String, String> metrics = new LinkedHashMap<>();
        resources().forEach((name, resource) -> {
            if ("AWS::CloudWatch::Alarm".equals(map(resource).get("Type"))) {
                Map<String, Object> p = map(map(resource).get("Properties"));
                metrics.put(p.get("Namespace") + "/" + p.get("MetricName"),
                        String.valueOf(((List<?>) p.get("Dimensions")).getFirst()));
            }
        });
        assertThat(metrics).containsEntry("AWS/SQS/ApproximateNumberOfMessagesVisible",
                        "{Name=QueueName, Value={Fn::GetAtt=[JobsDeadLetterQueue, QueueName]}}")
                .containsEntry("AWS/Lambda/Errors", "{Name=FunctionName, Value={Ref=ReplyGuardFunction}}")
                .containsEntry("AWS/SQS/ApproximateAgeOfOldestMessage",
                        "{Name=QueueName, Value={Fn::GetAtt=[JobsQueue, QueueName]}}")
                .containsEntry("ReplyGuard/HandoversParked", "{Name=FunctionName, Value={Ref=ReplyGuardFunction}}");
    }

    @Test
    void shouldChartEveryOutcomeAndTiming_onADashboardOfTheWorkersNamespace() throws IOException {
        assertThat(environment().get("METRICS_NAMESPACE")).isEqualTo("ReplyGuard");
        assertThat(environment().get("LOG_LEVEL")).isEqualTo(ref("LogLevel"));
        List<?> sub = (List<?>) map(properties("ReplyGuardDashboard").get("DashboardBody")).get("Fn::Sub");
        String body = ((String) sub.getFirst()).replace("${AWS::Region}", "eu-west-3").replace("${Fn}", "reply-guard");
        var dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body); // valid JSON once substituted
        assertThat(dashboard.get("widgets").size()).isGreaterThanOrEqualTo(4);
        for (com.replyguard.core.Outcome outcome : com.replyguard.core.Outcome.values()) {
            assertThat(body).contains("\"" + outcome.metricName() + "\"");
        }
        assertThat(body).contains("\"GuardTime\"", "\"GenerationTime\"", "\"DeliveryTime\"", "\"RepliesDelivered\"",
                "\"Records\"", "\"ReplyGuard\"", "\"FunctionName\"");
    }

    @Test
    void shouldOutputTheQueueUrls_theDeadLetterQueue_andTheAlias() {
        Map<String, Object> outputs = map(template.get("Outputs"));
        assertThat(map(outputs.get("JobsQueueUrl")).get("Value")).isEqualTo(ref("JobsQueue"));
        assertThat(map(outputs.get("JobsDeadLetterQueueUrl")).get("Value")).isEqualTo(ref("JobsDeadLetterQueue"));
        assertThat(map(outputs.get("RepliesQueueUrl")).get("Value")).isEqualTo(ref("RepliesQueue"));
        assertThat(map(outputs.get("FunctionAliasArn")).get("Value")).isEqualTo(ref("ReplyGuardFunctionAliaslive"));
    }

    // ------------------------------------------------------------------ samconfig.toml, events/env.json

    @Test
    void shouldDeployADefaultAndAProdEnvironment_withParametersTheTemplateAccepts() {
        assertThat(samconfig).containsKeys("default.deploy.parameters", "prod.deploy.parameters");
        for (String env : List.of("default", "prod")) {
            Map<String, Object> deploy = samconfig.get(env + ".deploy.parameters");
            assertThat(deploy.get("capabilities")).isEqualTo("CAPABILITY_IAM");
            assertThat(samconfig.get(env + ".global.parameters")).containsKeys("stack_name", "region");
            SamConfig.overrides(deploy).forEach((name, value) -> {
                Map<String, Object> parameter = map(map(template.get("Parameters")).get(name));
                assertThat(parameter).as(env + ": " + name + " is a template parameter").isNotNull();
                if (parameter.get("AllowedValues") != null) {
                    assertThat(((List<?>) parameter.get("AllowedValues")).stream().map(String::valueOf))
                            .as(env + ": " + name).contains(value);
                }
                if (parameter.get("AllowedPattern") != null) {
                    assertThat(value).as(env + ": " + name).matches((String) parameter.get("AllowedPattern"));
                }
                if (parameter.get("MinValue") != null) {
                    assertThat(Long.parseLong(value)).as(env + ": " + name)
                            .isBetween(((Number) parameter.get("MinValue")).longValue(),
                                    parameter.get("MaxValue") == null ? Long.MAX_VALUE : ((Number) parameter.get("MaxValue")).longValue());
                }
            });
        }
        assertThat(SamConfig.overrides(samconfig.get("default.deploy.parameters"))).containsEntry("RedisProvider", "upstash");
        assertThat(SamConfig.overrides(samconfig.get("prod.deploy.parameters"))).containsEntry("RedisProvider", "elasticache");
    }

    @Test
    void shouldLeaveTheDeploymentsOwnValuesUnset_forTheTemplatesRulesToNameThem() throws IOException {
        String text = Files.readString(Path.of("samconfig.toml"));
        Map<String, String> dev = SamConfig.overrides(samconfig.get("default.deploy.parameters"));
        Map<String, String> prod = SamConfig.overrides(samconfig.get("prod.deploy.parameters"));
        // a placeholder that passes the template's patterns would fail only minutes later, on a resource
        for (Map<String, String> env : List.of(dev, prod)) {
            assertThat(env).doesNotContainKeys("UpstashRedisUrlSecretArn", "VpcId", "SubnetIds");
            assertThat(String.join(" ", env.values())).doesNotContain("REPLACE").doesNotContain("123456789012")
                    .doesNotContain("0123456789abcdef");
        }
        assertThat(text).as("the lines to fill in are there, commented").contains("# \"UpstashRedisUrlSecretArn=")
                .contains("# \"VpcId=").contains("# \"SubnetIds=");

        // left unset, each is refused at change-set creation by a rule whose message names it
        assertThat(ruleRefusingEmpty("UpstashSecret", "UpstashRedisUrlSecretArn")).contains("UpstashRedisUrlSecretArn");
        assertThat(ruleRefusingEmpty("ElastiCacheNetwork", "VpcId")).contains("VpcId");
        assertThat(map(map(template.get("Rules")).get("ElastiCacheNetwork")).toString())
                .contains("{Fn::Equals=[{Fn::Join=[, {Ref=SubnetIds}]}, ]}").contains("needs SubnetIds");
        assertThat(map(map(template.get("Rules")).get("UpstashSecret")).get("RuleCondition").toString())
                .contains("{Ref=RedisProvider}, upstash");
        assertThat(map(map(template.get("Rules")).get("ElastiCacheNetwork")).get("RuleCondition").toString())
                .contains("{Ref=RedisProvider}, elasticache");
    }

    /** The AssertDescription of the rule's assertion that {@code parameter} is not empty. */
    private static String ruleRefusingEmpty(String rule, String parameter) {
        List<?> assertions = (List<?>) map(map(template.get("Rules")).get(rule)).get("Assertions");
        return assertions.stream().map(a -> map(a))
                .filter(a -> a.get("Assert").equals(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref(parameter), ""))))))
                .map(a -> (String) a.get("AssertDescription")).findFirst().orElseThrow();
    }

    @Test
    void shouldOnlySetDeclaredVariables_inTheSamLocalEnvFile() throws IOException {
        JsonNode env = new ObjectMapper().readTree(new File("events/env.json"));
        List<String> names = new ArrayList<>();
        env.get("ReplyGuardFunction").fieldNames().forEachRemaining(names::add);
        assertThat(environment().keySet()).as("sam local invoke only overrides variables the template declares")
                .containsAll(names);
    }

    // ------------------------------------------------------------------ helpers

    /** Parameter values per environment: the template's defaults, then each samconfig environment's overrides. */
    private static Map<String, Map<String, String>> effectiveParameters() {
        Map<String, String> defaults = new LinkedHashMap<>();
        map(template.get("Parameters")).forEach((name, p) -> {
            Object value = map(p).get("Default");
            defaults.put(name, value == null ? null : String.valueOf(value));
        });
        Map<String, Map<String, String>> environments = new LinkedHashMap<>();
        environments.put("template defaults", defaults);
        samconfig.forEach((table, values) -> {
            if (table.endsWith(".deploy.parameters")) {
                Map<String, String> effective = new LinkedHashMap<>(defaults);
                effective.putAll(SamConfig.overrides(values));
                environments.put("samconfig " + table.substring(0, table.indexOf('.')), effective);
            }
        });
        return environments;
    }

    private static long number(Map<String, String> values, String name) {
        return Long.parseLong(values.get(name));
    }

    private static Map<String, Object> resources() {
        return map(template.get("Resources"));
    }

    private static Map<String, Object> properties(String resource) {
        return map(map(resources().get(resource)).get("Properties"));
    }

    private static Map<String, Object> function() {
        return properties("ReplyGuardFunction");
    }

    private static Map<String, Object> environment() {
        return map(map(function().get("Environment")).get("Variables"));
    }

    private static Map<String, Object> sqsEvent() {
        Map<String, Object> event = map(map(function().get("Events")).get("Jobs"));
        assertThat(event.get("Type")).isEqualTo("SQS");
        return map(event.get("Properties"));
    }

    private static Map<String, Object> parameter(String name) {
        return map(map(template.get("Parameters")).get(name));
    }

    private static Object condition(String name) {
        return map(template.get("Conditions")).get(name);
    }

    private static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
