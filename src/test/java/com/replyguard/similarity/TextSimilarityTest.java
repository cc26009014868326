package com.replyguard.similarity;

import org.apache.commons.text.similarity.LevenshteinDistance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TextSimilarityTest {

    private static final double QUESTION_THRESHOLD = 0.70;
    private static final double REPLY_THRESHOLD = 0.80;

    @ParameterizedTest(name = "{0} ~ {1}")
    @CsvSource(delimiter = '|', value = {
            "tu fais quoi?|Tu fais quoi ?",
            "tu fais quoi ce week-end ?|Tu fais quoi ce week end?? 😅",
            "c'est quoi ton film préféré|c’est quoi ton film prefere",
            "T'ES OÙ ?|t es ou",
            "haha tu bosses dans quoi|tu bosses dans quoi ?",
            "   salut    toi  |salut toi ❤️",
            "tu travailles demain ?|tu travaille demain ?",
    })
    void shouldTakeARepeat_forTheSameMessage(String a, String b) {
        assertThat(TextSimilarity.score(a, b)).isGreaterThanOrEqualTo(REPLY_THRESHOLD);
        assertThat(TextSimilarity.score(b, a)).isEqualTo(TextSimilarity.score(a, b));
    }

    @ParameterizedTest(name = "{0} ≠ {1}")
    @CsvSource(delimiter = '|', value = {
            "tu aimes les chats ?|tu aimes les chiens ?",
            "on se voit samedi ?|on se voit dimanche ?",
            "tu as vu ce film ?|tu as vu ce match ?",
            "tu aimes le sport ?|tu n'aimes pas le sport ?",
            "tu habites où ?|tu habites avec qui ?",
            "tu fais quoi ce soir ?|tu fais quoi ce soir après le boulot ?",
            "do you like cats?|do you like dogs?",
            "j'ai vu sur ton profil que t'aimais la rando, tu vas souvent dans les Alpes ou plutôt dans les Pyrénées ?|j'ai vu sur ton profil que t'aimais la rando, tu vas souvent dans les Alpes ou plutôt dans les Vosges ?",
    })
    void shouldTellADifferentQuestion_thatSharesMostOfItsWords(String a, String b) {
        assertThat(TextSimilarity.score(a, b)).isLessThan(QUESTION_THRESHOLD);
    }

    @Test
    void shouldScoreIdenticalNormalisedTextsOne_andUnrelatedTextsZero() {
        assertThat(TextSimilarity.score("tu fais quoi?", "Tu fais quoi ?")).isEqualTo(1.0);
        assertThat(TextSimilarity.score("salut", "tu aimes les chats ?")).isZero();
        assertThat(TextSimilarity.score("😂", "😂")).isEqualTo(1.0);
        assertThat(TextSimilarity.score("😂", "👍")).isZero();
        assertThat(TextSimilarity.score("", "salut")).isZero();
        assertThat(TextSimilarity.score(null, null)).isZero();
    }

    @Test
    void shouldReadOnlyABoundedPrefix_ofAHugeMessage() {
        String huge = "mot ".repeat(50_000) + "fin";
        assertThat(ChatText.words(huge)).hasSize(ChatText.MAX_TOKENS);
        assertThat(TextSimilarity.score(huge, huge + " encore")).isEqualTo(1.0);
    }

    /**
     * The labelled corpus (src/test/resources/similarity/pairs.tsv): both error rates at the default
     * thresholds, and the same for a plain character ratio, to show why it is not used.
     */
    @Test
    void shouldSeparateRepeatsFromNewQuestions_onTheLabelledCorpus() throws IOException {
        List<String[]> pairs = corpus();
        Rates ours = rates(pairs, QUESTION_THRESHOLD, true);
        Rates plain = rates(pairs, QUESTION_THRESHOLD, false);
        System.out.printf("corpus: %d repeats, %d new questions%n", ours.repeats, ours.news);
        System.out.printf("TextSimilarity @0.70: repeats missed %d (%.1f%%), new questions taken for repeats %d (%.1f%%)%n",
                ours.missedRepeats, 100.0 * ours.missedRepeats / ours.repeats, ours.lostNew, 100.0 * ours.lostNew / ours.news);
        System.out.printf("plain character ratio @0.70: repeats missed %d (%.1f%%), new questions taken for repeats %d (%.1f%%)%n",
                plain.missedRepeats, 100.0 * plain.missedRepeats / plain.repeats, plain.lostNew, 100.0 * plain.lostNew / plain.news);
        Rates atReply = rates(pairs, REPLY_THRESHOLD, true);
        System.out.printf("TextSimilarity @0.80: repeats missed %d, new questions taken for repeats %d%n",
                atReply.missedRepeats, atReply.lostNew);

        assertThat(ours.repeats).isGreaterThanOrEqualTo(50);
        assertThat(ours.news).isGreaterThanOrEqualTo(50);
        // a new question taken for a repeat is a lost message: none allowed on the corpus
        assertThat(ours.lostNew).isZero();
        assertThat((double) ours.missedRepeats / ours.repeats).isLessThanOrEqualTo(0.02);
        assertThat(plain.lostNew).as("the plain ratio loses real messages, which is why it is not used")
                .isGreaterThan(ours.lostNew);
    }

    private record Rates(int repeats, int news, int missedRepeats, int lostNew) {
    }

    private static Rates rates(List<String[]> pairs, double threshold, boolean ours) {
        int repeats = 0, news = 0, missed = 0, lost = 0;
        for (String[] pair : pairs) {
            double score = ours ? TextSimilarity.score(pair[2], pair[3]) : plainRatio(pair[2], pair[3]);
            if (pair[0].equals("repeat")) {
                repeats++;
                if (score < threshold) {
                    missed++;
                }
            } else {
                news++;
                if (score >= threshold) {
                    lost++;
                }
            }
        }
        return new Rates(repeats, news, missed, lost);
    }

    /** What the original design used: 1 − edit distance / longer length, on the raw lower-cased text. */
    private static double plainRatio(String a, String b) {
        String x = a.toLowerCase();
        String y = b.toLowerCase();
        int longer = Math.max(x.length(), y.length());
        return longer == 0 ? 1 : 1 - (double) LevenshteinDistance.getDefaultInstance().apply(x, y) / longer;
    }

    static List<String[]> corpus() throws IOException {
        try (InputStream in = TextSimilarityTest.class.getResourceAsStream("/similarity/pairs.tsv")) {
            List<String[]> pairs = new ArrayList<>();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    String[] fields = lines[i].split("\t", -1);
                    assertThat(fields).as("line " + (i + 1)).hasSize(5);
                    pairs.add(fields);
                }
            }
            return pairs;
        }
    }
}
