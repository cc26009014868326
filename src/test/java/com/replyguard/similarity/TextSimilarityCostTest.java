package com.replyguard.similarity;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I8: the similarity check stays in the milliseconds whatever a user sends. The worst inputs a
 * hostile or broken client can produce (200 KB of words built to defeat the shortcuts: near-typos
 * everywhere, filler-like tokens for the regex, emoji only, accents only) are scored repeatedly;
 * the figures are printed. The bounds asserted are generous (a loaded CI machine must not flake): the
 * median in milliseconds, and no single call near a second, which is what a regex backtracking or
 * a quadratic scan over 200 KB would cost.
 */
class TextSimilarityCostTest {

    private static final int SIZE = 200 * 1024;
    private static final Random RANDOM = new Random(42);

    private static String words(int minLength, int maxLength, String alphabet) {
        StringBuilder text = new StringBuilder(SIZE + 16);
        while (text.length() < SIZE) {
            int length = minLength + RANDOM.nextInt(maxLength - minLength + 1);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
            }
            text.append(' ');
        }
        return text.substring(0, SIZE);
    }

    /** A copy of {@code text} with one letter changed in every word: every word is a typo candidate. */
    private static String typoOfEveryWord(String text) {
        char[] chars = text.toCharArray();
        for (int i = 1; i < chars.length; i++) {
            if (chars[i - 1] == ' ' && chars[i] != ' ') {
                chars[i] = chars[i] == 'z' ? 'y' : 'z';
            }
        }
        return new String(chars);
    }

    private static String repeat(String unit) {
        return unit.repeat(SIZE / unit.length() + 1).substring(0, SIZE);
    }

    @Test
    void shouldScoreTheLargestHostileInputsInMilliseconds() {
        Map<String, Supplier<String[]>> inputs = new LinkedHashMap<>();
        String letters = words(5, 9, "abcdefghijklmnopqrstuvwxyz");
        inputs.put("200 KB of 5-9 letter words vs the same with a typo in every word", () -> new String[] {letters, typoOfEveryWord(letters)});
        inputs.put("200 KB vs 200 KB of different random words", () -> new String[] {letters, words(5, 9, "abcdefghijklmnopqrstuvwxyz")});
        inputs.put("one 200 KB token shaped like a filler (hahaha…x)", () -> new String[] {repeat("ha") + "x", repeat("ah") + "y"});
        inputs.put("200 KB of 'a' then 'h' (regex backtracking bait)", () -> new String[] {"a".repeat(SIZE - 1) + "h", "a".repeat(SIZE) + "!"});
        inputs.put("200 KB of emoji only, differing at the end", () -> new String[] {repeat("😂🎉") + "💬", repeat("😂🎉") + "🙂"});
        inputs.put("200 KB of accented letters and apostrophes", () -> new String[] {repeat("été à l’œuvre ça va "), repeat("ete a l'oeuvre ca va ")});
        inputs.put("200 KB of function words", () -> new String[] {repeat("tu les de la the and "), repeat("je des le un of to ")});

        double worstP50 = 0;
        double worstMax = 0;
        for (Map.Entry<String, Supplier<String[]>> input : inputs.entrySet()) {
            String[] pair = input.getValue().get();
            for (int i = 0; i < 50; i++) {
                TextSimilarity.score(pair[0], pair[1]); // JIT warm-up
            }
            long[] nanos = new long[200];
            for (int i = 0; i < nanos.length; i++) {
                long start = System.nanoTime();
                double score = TextSimilarity.score(pair[0], pair[1]);
                nanos[i] = System.nanoTime() - start;
                assertThat(score).isBetween(0.0, 1.0);
            }
            Arrays.sort(nanos);
            double p50 = nanos[nanos.length / 2] / 1e6;
            double p99 = nanos[nanos.length * 99 / 100] / 1e6;
            double max = nanos[nanos.length - 1] / 1e6;
            worstP50 = Math.max(worstP50, p50);
            worstMax = Math.max(worstMax, max);
            System.out.printf(java.util.Locale.ROOT, "similarity cost, %s: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", input.getKey(), p50, p99, max);
            assertThat(p50).as(input.getKey()).isLessThan(20.0);
            assertThat(max).as(input.getKey()).isLessThan(500.0);
        }
        System.out.printf(java.util.Locale.ROOT, "similarity cost: worst p50 %.3f ms, worst single call %.3f ms; a message is compared with at most 20 recent ones%n",
                worstP50, worstMax);
    }
}
