package com.replyguard.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.config.ConfigException;
import com.replyguard.config.RedisSettings;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Fingerprint;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shows one match's guard state — who holds the flag and since when, recent questions and replies,
 * handed-over messages, answered markers, every TTL — against any {@code REDIS_URL}. One read-only
 * script on the match's own keys: no {@code KEYS}, no {@code SCAN}, safe on a production cluster.
 * Texts are shown as length and hash unless {@code --show-texts} is given.
 *
 * <pre>
 * REDIS_URL=rediss://… mvn -q compile exec:java -Dexec.mainClass=com.replyguard.redis.GuardInspector \
 *     -Dexec.args="match-42 --message msg-1001"
 * </pre>
 */
public final class GuardInspector {

    private static final LuaScript INSPECT = LuaScript.load("inspect.lua", ScriptOutputType.MULTI);
    private static final ObjectMapper JSON = new ObjectMapper();

    private GuardInspector() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err, System.currentTimeMillis()));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, long nowMillis) {
        String matchId = null;
        boolean showTexts = false;
        List<String> messageIds = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--show-texts" -> showTexts = true;
                case "-h", "--help" -> {
                    out.println(usage());
                    return 0;
                }
                case "--message" -> {
                    if (++i == args.length) {
                        err.println("GuardInspector: --message needs a messageId   (--help shows the usage)");
                        return 2;
                    }
                    messageIds.add(args[i]);
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        err.println("GuardInspector: unknown option " + args[i] + "   (--help shows the usage)");
                        return 2;
                    }
                    if (matchId != null) {
                        err.println("GuardInspector: one match at a time: " + matchId + " or " + args[i] + "?   (--help shows the usage)");
                        return 2;
                    }
                    matchId = args[i];
                }
            }
        }
        if (matchId == null) {
            err.println("GuardInspector: which match? give its matchId\n" + usage());
            return 2;
        }
        String url = env.get("REDIS_URL");
        if (url == null || url.isBlank()) {
            err.println("GuardInspector: set REDIS_URL to the Redis to inspect (redis://host:6379, or rediss://user:password@host:port"
                    + " for TLS; REDIS_CLUSTER=true for a cluster)");
            return 2;
        }
        // only the Redis settings: the worker's other variables (generator, sink…) mean nothing here
        Map<String, String> settings = new HashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("REDIS_") && !name.equals("REDIS_URL_SECRET_ARN")) {
                settings.put(name, value);
            }
        });
        settings.put("GUARD_ENABLED", "true");
        RedisSettings redis;
        try {
            redis = WorkerConfig.fromEnvironment(settings).redis();
        } catch (ConfigException e) {
            err.println("GuardInspector: " + e.getMessage());
            return 2;
        }
        MatchKeys keys = MatchKeys.of(matchId);
        List<String> keyList = new ArrayList<>(keys.shared());
        messageIds.forEach(id -> keyList.add(keys.answered(id)));
        List<Object> state;
        try (RedisConnector connector = RedisConnector.create(redis)) {
            state = connector.run(INSPECT, keyList.toArray(String[]::new), new String[0], false);
        } catch (RedisException e) {
            err.println("GuardInspector: Redis at " + redis.endpoint() + " did not answer: " + e.getClass().getSimpleName());
            return 1;
        }
        if (noState(state)) {
            out.println("match " + matchId + "   keys " + keys.flag().replace(":flag", ":*"));
            out.println("no state for this match: no job holds its flag and nothing was answered recently"
                    + (messageIds.isEmpty() ? "" : " (" + String.join(", ", messageIds) + ": not answered)")
                    + ", or its keys have expired");
            return 0;
        }
        new Report(out, nowMillis, showTexts).print(matchId, keys, messageIds, state);
        return 0;
    }

    /** Whether no key of the match exists: every list the script returned is empty, every TTL is -2 (no key). */
    private static boolean noState(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().allMatch(GuardInspector::noState);
        }
        if (value instanceof Long ttl) {
            return ttl == -2;
        }
        return value == null || "".equals(value) || "-2".equals(value);
    }

    private static String usage() {
        return """
                usage: GuardInspector MATCH_ID [--message MESSAGE_ID]... [--show-texts]

                Shows what the guard keeps in Redis for one match: who holds its in-progress flag and since when,
                its recent questions and replies, the messages handed over to the flag's holder, whether each
                --message was answered, and every TTL. One read-only script on the match's own keys (no KEYS, no
                SCAN): safe on a production cluster. Texts show as length and hash unless --show-texts.

                  --message MESSAGE_ID   also say whether this messageId was answered (repeatable)
                  --show-texts           show the stored (normalised) texts
                  -h, --help             this text

                Reads REDIS_URL (the Redis to inspect), REDIS_CLUSTER, REDIS_TLS_CA_FILE, REDIS_TIMEOUT_MS.
                exit status: 0 shown, 1 Redis did not answer, 2 usage error""";
    }

    private record Report(PrintStream out, long now, boolean showTexts) {

        @SuppressWarnings("unchecked")
        void print(String matchId, MatchKeys keys, List<String> messageIds, List<Object> state) {
            out.println("match " + matchId + "   keys " + keys.flag().replace(":flag", ":*"));
            List<String> flag = (List<String>) state.get(0);
            if (flag.isEmpty()) {
                out.println("flag: free");
            } else {
                Map<String, String> fields = pairs(flag);
                long since = Long.parseLong(fields.getOrDefault("since", Long.toString(now)));
                out.printf("flag: held for messageId %s, for %s, expires in %s (owner …%s)%n", fields.get("messageId"),
                        seconds(now - since), ttl((Long) state.get(1)), tail(fields.get("owner")));
                if (fields.containsKey("question")) {
                    out.println("      question " + text(fields.get("question")));
                }
            }
            list("recent questions", (List<String>) state.get(2), (Long) state.get(3));
            list("recent replies", (List<String>) state.get(4), (Long) state.get(5));
            Map<String, String> handed = pairs((List<String>) state.get(6));
            out.printf("handed over: %d%s%n", handed.size(), expires((Long) state.get(7)));
            handed.forEach((id, entry) -> {
                try {
                    JsonNode node = JSON.readTree(entry);
                    out.printf("  - %s, handed over %s ago, text %s%n", id, seconds(now - node.get("at").asLong()),
                            text(node.get("text").asText()));
                } catch (Exception e) {
                    out.printf("  - %s, unreadable entry%n", id);
                }
            });
            Map<String, String> attempts = pairs((List<String>) state.get(8));
            if (!attempts.isEmpty()) {
                out.printf("failed generations per handed-over message: %s%s%n", attempts, expires((Long) state.get(9)));
            }
            Map<String, String> parkedEntries = pairs((List<String>) state.get(10));
            out.printf("parked (failed %d generations; their own records go on alone): %d%s%n",
                    RedisReplyGuard.PARK_AFTER_FAILURES, parkedEntries.size(), expires((Long) state.get(11)));
            parkedEntries.keySet().forEach(id -> out.printf("  - %s%n", id));
            Map<String, String> outbox = pairs((List<String>) state.get(12));
            out.printf("outbox (committed, delivery not confirmed): %d%s%n", outbox.size(), expires((Long) state.get(13)));
            outbox.forEach((replyId, entry) -> {
                int sep = entry.indexOf('|');
                long at = sep > 0 ? Long.parseLong(entry.substring(0, sep)) : now;
                String inReplyTo = "?";
                try {
                    inReplyTo = JSON.readTree(entry.substring(sep + 1)).get("inReplyTo").toString();
                } catch (Exception e) {
                    // shown as ?
                }
                out.printf("  - reply %s, committed %s ago, in reply to %s%n", replyId, seconds(now - at), inReplyTo);
            });
            List<String> markers = (List<String>) state.get(14);
            for (int i = 0; i < messageIds.size(); i++) {
                String value = markers.get(2 * i);
                long pttl = Long.parseLong(markers.get(2 * i + 1));
                String how = value.isEmpty() ? "no"
                        : value.equals("repeat") ? "yes, judged a repeat, remembered for " + ttl(pttl)
                        : "yes, by reply " + value + (outbox.containsKey(value) ? " (delivery not confirmed)" : "")
                        + ", remembered for " + ttl(pttl);
                out.println("answered " + messageIds.get(i) + ": " + how);
            }
        }

        private void list(String name, List<String> entries, long pttl) {
            out.printf("%s: %d%s%n", name, entries.size(), expires(pttl));
            for (String entry : entries) {
                int sep = entry.indexOf('|');
                long at = sep > 0 ? Long.parseLong(entry.substring(0, sep)) : now;
                out.printf("  - %s ago, %s%n", seconds(now - at), text(entry.substring(sep + 1)));
            }
        }

        private String text(String text) {
            return showTexts ? "\"" + text + "\"" : text.length() + " chars, sha256 " + Fingerprint.of(text);
        }

        private static Map<String, String> pairs(List<String> flat) {
            Map<String, String> map = new java.util.LinkedHashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                map.put(flat.get(i), flat.get(i + 1));
            }
            return map;
        }

        /** ", key expires in 44.5 s", or nothing when there is no key. */
        private static String expires(long pttl) {
            return pttl == -2 ? "" : ", key expires in " + ttl(pttl);
        }

        private static String ttl(long pttl) {
            return pttl == -2 ? "(no key)" : pttl == -1 ? "never (no TTL!)" : seconds(pttl);
        }

        private static String seconds(long millis) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }

        private static String tail(String token) {
            return token == null ? "?" : token.substring(Math.max(0, token.length() - 6));
        }
    }
}
