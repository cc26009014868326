package com.replyguard.core;

import java.util.List;

/** Writes the bot's reply (an LLM, or a scripted stand-in). */
public interface ReplyGenerator {

    /**
     * @param job         the job whose flag this generation runs under (persona, history)
     * @param messages    the user messages to answer, oldest first: the job's own, plus any handed over
     * @param alreadySaid replies the bot sent moments ago that this one must not repeat (the
     *                    duplicate-reply check asks once more with them); usually empty
     * @return the reply text, never blank
     * @throws GenerationException when no reply could be produced; the job is then retried
     */
    String generate(Job job, List<String> messages, List<String> alreadySaid) throws GenerationException;

    /** A first generation: nothing to avoid. */
    default String generate(Job job, List<String> messages) throws GenerationException {
        return generate(job, messages, List.of());
    }

    final class GenerationException extends Exception {
        public GenerationException(String message, Throwable cause) {
            super(message, cause);
        }

        public GenerationException(String message) {
            super(message);
        }
    }
}
