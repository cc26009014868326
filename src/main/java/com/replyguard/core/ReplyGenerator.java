package com.replyguard.core;

import java.util.List;

/** Writes the bot's reply (an LLM, or a scripted stand-in). */
public interface ReplyGenerator {

    /**
     * @param job      the job whose flag this generation runs under (persona, history)
     * @param messages the user messages to answer, oldest first: the job's own, plus any handed over
     * @return the reply text, never blank
     * @throws GenerationException when no reply could be produced; the job is then retried
     */
    String generate(Job job, List<String> messages) throws GenerationException;

    final class GenerationException extends Exception {
        public GenerationException(String message, Throwable cause) {
            super(message, cause);
        }

        public GenerationException(String message) {
            super(message);
        }
    }
}
