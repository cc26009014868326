package com.replyguard.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.replyguard.core.Reply;

/** The reply's wire form, shared by every sink: {"replyId", "matchId", "inReplyTo", "reply", "generatedAt"}. */
public final class ReplyJson {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private ReplyJson() {
    }

    /** The reply as a JSON object, for a sink that adds fields around it. */
    public static ObjectNode tree(Reply reply) {
        return JSON.valueToTree(reply);
    }

    public static String write(Reply reply) {
        try {
            return JSON.writeValueAsString(reply);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Reply always serialises", e);
        }
    }
}
