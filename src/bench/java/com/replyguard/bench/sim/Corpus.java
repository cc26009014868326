package com.replyguard.bench.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The texts of the simulated traffic ({@code traffic-texts.tsv}) and the scripted generator's rules
 * built from them: each text has its own rule, answered in three phrasings, so a question asked
 * twice gets a paraphrase of the same answer (as an LLM would), and a different question gets a
 * different answer.
 */
public final class Corpus {

    /** One line of the corpus. */
    public record Line(String id, String lang, String key, String text, List<String> variants, String answer) {

        boolean isQuestion() {
            return id.startsWith("q") && !id.endsWith("b");
        }

        boolean isNearMiss() {
            return id.startsWith("q") && id.endsWith("b");
        }

        boolean isShort() {
            return id.startsWith("s");
        }

        /** The texts a user sends when re-sending this one: itself, and its variants. */
        public List<String> resends() {
            List<String> all = new ArrayList<>();
            all.add(text);
            all.addAll(variants);
            return all;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Line> lines;
    private final Map<String, Line> byId = new LinkedHashMap<>();

    private Corpus(List<Line> lines) {
        this.lines = List.copyOf(lines);
        lines.forEach(l -> byId.put(l.id(), l));
    }

    public static Corpus load() {
        try (InputStream in = Corpus.class.getResourceAsStream("traffic-texts.tsv")) {
            if (in == null) {
                throw new IllegalStateException("traffic-texts.tsv missing from the classpath");
            }
            List<Line> lines = new ArrayList<>();
            for (String raw : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (raw.isBlank() || raw.startsWith("#")) {
                    continue;
                }
                String[] f = raw.split("\t", -1);
                if (f.length != 6) {
                    throw new IllegalStateException("traffic-texts.tsv: 6 tab-separated fields expected: " + raw);
                }
                List<String> variants = f[4].isEmpty() ? List.of() : List.of(f[4].split("\\|"));
                lines.add(new Line(f[0], f[1], f[2], f[3], variants, f[5]));
            }
            Corpus corpus = new Corpus(lines);
            corpus.checkRules();
            return corpus;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Line> questions() {
        return lines.stream().filter(Line::isQuestion).toList();
    }

    /** Questions that have a near-miss partner ({@code qNN} with a {@code qNNb}). */
    public List<Line> questionsWithNearMiss() {
        return questions().stream().filter(q -> byId.containsKey(q.id() + "b")).toList();
    }

    public Line nearMissOf(Line question) {
        return byId.get(question.id() + "b");
    }

    public List<Line> shorts() {
        return lines.stream().filter(Line::isShort).toList();
    }

    /** Rules in the order the generator tries them: the longest key first (the most specific). */
    private List<Line> ruleOrder() {
        return lines.stream().sorted(Comparator.comparingInt((Line l) -> l.key().length()).reversed()).toList();
    }

    /** The scripted generator's rules file (SCRIPTED_REPLIES) for this corpus. */
    public String rulesJson() {
        ArrayNode rules = JSON.createArrayNode();
        for (Line line : ruleOrder()) {
            ObjectNode rule = rules.addObject();
            rule.put("when", line.key());
            ArrayNode replies = rule.putArray("replies");
            phrasings(line).forEach(replies::add);
        }
        ObjectNode fallback = rules.addObject();
        ArrayNode replies = fallback.putArray("replies");
        replies.add("Haha, raconte-moi plus !");
        replies.add("Intéressant, et toi alors ?");
        return rules.toString();
    }

    /** Three phrasings of one answer: two nearly equal, one expanded ("Je bosse en marketing" / "…, c'est créatif"). */
    static List<String> phrasings(Line line) {
        String answer = line.answer();
        boolean french = line.lang().equals("fr");
        return List.of(answer,
                answer + " 🙂",
                (french ? "Bonne question ! " : "Good question! ") + answer + (french ? ", et toi ?" : ", and you?"));
    }

    /** Every text and variant must select its own rule, else the traffic would not mean what it says. */
    private void checkRules() {
        List<Line> order = ruleOrder();
        List<Pattern> patterns = order.stream()
                .map(l -> Pattern.compile(l.key(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)).toList();
        List<String> wrong = new ArrayList<>();
        for (Line line : lines) {
            for (String text : line.resends()) {
                String chosen = null;
                for (int i = 0; i < order.size(); i++) {
                    if (patterns.get(i).matcher(text).find()) {
                        chosen = order.get(i).id();
                        break;
                    }
                }
                if (!line.id().equals(chosen)) {
                    wrong.add(line.id() + " \"" + text + "\" selects " + chosen);
                }
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("traffic-texts.tsv: texts selecting another line's rule: " + wrong);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d questions (%d with a near-miss), %d short messages",
                questions().size(), questionsWithNearMiss().size(), shorts().size());
    }
}
