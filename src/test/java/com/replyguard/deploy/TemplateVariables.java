package com.replyguard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The function's environment as {@code template.yaml} sets it, with every parameter at its
 * default: what a test starts a container with before overriding Redis, generator and sink.
 */
public final class TemplateVariables {

    private TemplateVariables() {
    }

    /** {@code !Ref} resolves to the parameter's default, {@code !If} to its else branch, anything else to "". */
    public static Map<String, String> atDefaults() {
        Map<String, Object> template;
        try {
            template = CloudFormationYaml.read(Path.of("template.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> parameters = map(template.get("Parameters"));
        Map<String, Object> function = map(map(map(template.get("Resources")).get("ReplyGuardFunction")).get("Properties"));
        Map<String, Object> variables = map(map(function.get("Environment")).get("Variables"));
        Map<String, String> env = new HashMap<>();
        for (Map.Entry<String, Object> variable : variables.entrySet()) {
            env.put(variable.getKey(), resolve(variable.getValue(), parameters));
        }
        return env;
    }

    private static String resolve(Object value, Map<String, Object> parameters) {
        if (value instanceof Map<?, ?> intrinsic) {
            if (intrinsic.containsKey("Ref")) {
                return String.valueOf(map(parameters.get(String.valueOf(intrinsic.get("Ref")))).get("Default"));
            }
            if (intrinsic.containsKey("Fn::If")) {
                return resolve(((List<?>) intrinsic.get("Fn::If")).get(2), parameters);
            }
            return "";
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
