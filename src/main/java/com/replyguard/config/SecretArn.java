package com.replyguard.config;

/** Checks that a variable holds a Secrets Manager secret ARN (an ARN is not a secret: it may be quoted). */
final class SecretArn {

    private SecretArn() {
    }

    static void check(String name, String value) {
        if (!value.matches("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+")) {
            throw new ConfigException(name + " must be a Secrets Manager secret ARN"
                    + " (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-abcdef), got '" + value + "'");
        }
    }
}
