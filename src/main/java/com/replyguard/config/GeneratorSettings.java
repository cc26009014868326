package com.replyguard.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Which generator writes the replies.
 *
 * @param delay           the scripted generator's simulated latency
 * @param scriptedReplies the scripted generator's rules file, or {@code null} for the built-in persona
 */
public record GeneratorSettings(Kind kind, Duration delay, Path scriptedReplies) {

    public enum Kind { SCRIPTED, BEDROCK, OPENAI }

    static GeneratorSettings from(Environment env) {
        Kind kind = env.choice("GENERATOR", Kind.class, Kind.SCRIPTED);
        if (kind != Kind.SCRIPTED) {
            throw new ConfigException("GENERATOR=" + kind.name().toLowerCase(Locale.ROOT)
                    + " is not available in this version yet: use scripted");
        }
        Path scripted = null;
        String scriptedPath = env.text("SCRIPTED_REPLIES");
        if (scriptedPath != null) {
            scripted = Path.of(scriptedPath);
            if (!Files.isReadable(scripted)) {
                throw new ConfigException("SCRIPTED_REPLIES: no readable file at " + scriptedPath);
            }
        }
        return new GeneratorSettings(kind, env.millis("GENERATOR_DELAY_MS", 0, 0, 900_000), scripted);
    }
}
