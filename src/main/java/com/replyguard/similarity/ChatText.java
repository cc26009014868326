package com.replyguard.similarity;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Chat text reduced to the words that carry its meaning: what two messages are compared on.
 *
 * <p>Folds everything a user changes when re-sending the same message: case, accents (é → e),
 * ligatures (œ → oe), straight or curly apostrophes, punctuation, spacing, emoji. Bounded: only the
 * first {@value #MAX_CHARS} characters and {@value #MAX_TOKENS} words are read, so a 200 KB message
 * costs no more than a long chat line.
 */
public final class ChatText {

    static final int MAX_CHARS = 2_000;
    static final int MAX_TOKENS = 64;

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private ChatText() {
    }

    /** The message's words, lower case, without accents; empty for a message of emoji or punctuation only. */
    public static List<String> words(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        String bounded = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
        String folded = MARKS.matcher(Normalizer.normalize(bounded, Normalizer.Form.NFKD)).replaceAll("")
                .toLowerCase(Locale.ROOT)
                .replace("œ", "oe").replace("æ", "ae").replace("ß", "ss");
        List<String> words = new ArrayList<>();
        for (String word : NOT_WORD.split(folded)) {
            if (!word.isEmpty()) {
                words.add(word);
                if (words.size() == MAX_TOKENS) {
                    break;
                }
            }
        }
        return words;
    }

    /** The words joined by single spaces: the form stored in Redis for later comparisons. */
    public static String normalized(String text) {
        return String.join(" ", words(text));
    }
}
