package com.replyguard.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the subset of TOML that samconfig.toml uses: {@code [env.command.parameters]} tables of
 * {@code key = "string" | true | number | ["string", ...]} (arrays may span lines), comments.
 */
final class SamConfig {

    private SamConfig() {
    }

    /** table name ("default.deploy.parameters") to its keys and values (String, Boolean, Long or List of String). */
    static Map<String, Map<String, Object>> read(Path file) throws IOException {
        Map<String, Map<String, Object>> tables = new LinkedHashMap<>();
        Map<String, Object> current = new LinkedHashMap<>();
        tables.put("", current);
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                current = new LinkedHashMap<>();
                tables.put(line.substring(1, line.indexOf(']')).strip(), current);
                continue;
            }
            int eq = line.indexOf('=');
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.startsWith("[")) {
                StringBuilder array = new StringBuilder(value);
                while (!array.toString().strip().endsWith("]")) {
                    array.append(' ').append(stripComment(lines.get(++i)).strip());
                }
                current.put(key, strings(array.toString()));
            } else if (value.startsWith("\"")) {
                current.put(key, value.substring(1, value.lastIndexOf('"')));
            } else if (value.equals("true") || value.equals("false")) {
                current.put(key, Boolean.valueOf(value));
            } else {
                current.put(key, value);
            }
        }
        return tables;
    }

    /** {@code parameter_overrides} of a table, as name to value. */
    static Map<String, String> overrides(Map<String, Object> table) {
        Map<String, String> overrides = new LinkedHashMap<>();
        Object value = table.get("parameter_overrides");
        List<String> pairs = value instanceof List<?> list ? list.stream().map(String::valueOf).toList()
                : value == null ? List.of() : List.of(String.valueOf(value).split(" "));
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            overrides.put(pair.substring(0, eq), pair.substring(eq + 1).replace("\"", ""));
        }
        return overrides;
    }

    private static List<String> strings(String array) {
        List<String> values = new ArrayList<>();
        int at = 0;
        while ((at = array.indexOf('"', at)) >= 0) {
            int end = array.indexOf('"', at + 1);
            values.add(array.substring(at + 1, end));
            at = end + 1;
        }
        return values;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
