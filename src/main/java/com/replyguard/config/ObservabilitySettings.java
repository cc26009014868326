package com.replyguard.config;

import java.util.Locale;

/**
 * What the worker logs and where its metrics go.
 *
 * @param logLevel         {@code LOG_LEVEL}, else Lambda's {@code AWS_LAMBDA_LOG_LEVEL}, else INFO
 * @param metricsNamespace CloudWatch namespace of the EMF metrics ({@code METRICS_NAMESPACE})
 * @param functionName     the metrics' only dimension ({@code AWS_LAMBDA_FUNCTION_NAME}, set by Lambda)
 */
public record ObservabilitySettings(LogLevel logLevel, String metricsNamespace, String functionName) {

    public enum LogLevel {
        /** Adds hashes of message and reply texts, and every guard decision. Never the texts. */
        DEBUG,
        INFO,
        WARN,
        ERROR;

        public boolean allows(LogLevel level) {
            return level.ordinal() >= ordinal();
        }
    }

    static ObservabilitySettings from(Environment env) {
        String name = env.text("LOG_LEVEL") != null ? "LOG_LEVEL" : "AWS_LAMBDA_LOG_LEVEL";
        String level = env.text(name);
        LogLevel logLevel = LogLevel.INFO;
        if (level != null) {
            // TRACE and FATAL exist in Lambda's log-level control: map them to their neighbours
            logLevel = switch (level.toUpperCase(Locale.ROOT)) {
                case "TRACE" -> LogLevel.DEBUG;
                case "FATAL" -> LogLevel.ERROR;
                default -> env.choice(name, LogLevel.class, LogLevel.INFO);
            };
        }
        String namespace = env.text("METRICS_NAMESPACE");
        String function = env.text("AWS_LAMBDA_FUNCTION_NAME");
        return new ObservabilitySettings(logLevel, namespace == null ? "ReplyGuard" : namespace,
                function == null ? "reply-guard-local" : function);
    }
}
