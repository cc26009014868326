package com.replyguard.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Lua script shipped as a resource beside this class, run by EVALSHA (one round trip, no script
 * text on the wire) and by EVAL when the server does not know it: after a restart, a failover, or
 * on another cluster node. EVAL also caches it, so the next EVALSHA there succeeds.
 */
final class LuaScript {

    /** Every script loaded so far: the connector puts them in each node's script cache when it connects. */
    private static final List<LuaScript> LOADED = new CopyOnWriteArrayList<>();

    private final String name;
    private final String source;
    private final String sha1;
    private final ScriptOutputType output;

    private LuaScript(String name, String source, ScriptOutputType output) {
        this.name = name;
        this.source = source;
        this.sha1 = sha1Hex(source);
        this.output = output;
    }

    static LuaScript load(String resource, ScriptOutputType output) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            LuaScript script = new LuaScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), output);
            LOADED.add(script);
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T> T run(RedisScriptingCommands<String, String> redis, String[] keys, String... args) {
        try {
            return redis.evalsha(sha1, output, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(source, output, keys, args);
        }
    }

    /** Sends it (EVALSHA, then EVAL on NOSCRIPT) without waiting; the future completes with the answer. */
    <T> CompletableFuture<T> runAsync(RedisScriptingAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<T> sent = redis.<T>evalsha(sha1, output, keys, args).toCompletableFuture();
        return sent.exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(source, output, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    static List<LuaScript> loaded() {
        return List.copyOf(LOADED);
    }

    String name() {
        return name;
    }

    String sha1() {
        return sha1;
    }

    String source() {
        return source;
    }

    private static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
